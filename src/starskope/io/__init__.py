"""starskope.io"""
