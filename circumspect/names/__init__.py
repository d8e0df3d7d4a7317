"""circumspect.names"""
