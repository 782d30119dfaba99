"""starskope.simulate"""
