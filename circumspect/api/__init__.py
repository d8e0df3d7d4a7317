"""circumspect.api"""
