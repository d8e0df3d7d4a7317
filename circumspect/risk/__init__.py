"""circumspect.risk"""
