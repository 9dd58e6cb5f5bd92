include $(TESTS_DIR)/tests/rules.make
