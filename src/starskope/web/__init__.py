"""starskope.web"""
