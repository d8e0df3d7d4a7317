"""circumspect.goods"""
