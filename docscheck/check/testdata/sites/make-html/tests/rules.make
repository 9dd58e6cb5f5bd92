test:
	@echo run
