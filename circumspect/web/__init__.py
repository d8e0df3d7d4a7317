"""circumspect.web"""
