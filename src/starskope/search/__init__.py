"""starskope.search"""
