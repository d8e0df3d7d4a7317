"""circumspect.sources"""
