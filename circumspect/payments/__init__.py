"""circumspect.payments"""
