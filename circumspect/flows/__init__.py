"""circumspect.flows"""
