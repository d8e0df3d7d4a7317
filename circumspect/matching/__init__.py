"""circumspect.matching"""
