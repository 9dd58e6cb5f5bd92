import pytest

class TestCart:
    def test_total(self):
        pass


async def test_checkout():
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_many(n):
    pass
