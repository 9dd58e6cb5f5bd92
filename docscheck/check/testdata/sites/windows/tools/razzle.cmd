@echo off
echo razzle
