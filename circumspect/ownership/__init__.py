"""Ownership and control: relationships stated by the lists, ownership data users bring,
and the aggregate ownership rule (OFAC 50 %, EU/UK majority or control) with its proof.

* :mod:`.graph`: the computation (pure);
* :mod:`.loader`: CSV and FtM ``Ownership`` files -> checked edges, every row accounted for;
* :mod:`.store`: versioned, diffed, transactional datasets in the list store's database;
* :mod:`.relations`: "Linked To", parent/subsidiary and "associated" statements of the lists;
* :mod:`.rules`: the rules per authority (configuration);
* :mod:`.service`: the view screening, the CLI and the web use.

See ``docs/ownership.md`` and ``docs/decisions/1400-ownership-aggregation.md``.
"""
