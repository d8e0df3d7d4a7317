"""circumspect.routes"""
