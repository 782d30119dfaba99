"""starskope.models"""
