"""circumspect.cases"""
