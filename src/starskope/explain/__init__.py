"""starskope.explain"""
