"""starskope.batch"""
