set design spm
