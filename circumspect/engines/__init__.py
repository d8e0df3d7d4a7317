"""circumspect.engines"""
