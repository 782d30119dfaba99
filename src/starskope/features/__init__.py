"""starskope.features"""
