from ijlucht import contract


def test_topic_names_follow_contract_v1():
    assert contract.topic("bev-01", contract.READINGS) == "ijlucht/kits/bev-01/readings"
    assert contract.subscription(contract.STATUS) == "ijlucht/kits/+/status"


def test_split_topic_returns_kit_and_kind_or_none():
    assert contract.split_topic("ijlucht/kits/bev-01/info") == ("bev-01", "info")
    assert contract.split_topic("ijlucht/kits/bev-01") is None
    assert contract.split_topic("other/kits/bev-01/info") is None
    assert contract.split_topic("ijlucht/kits/a/b/c") is None


def test_kit_ids_are_short_lowercase_and_mqtt_safe():
    assert contract.is_valid_kit_id("wijkaanzee-03")
    for bad in ("ab", "Bev-01", "-bev", "bev/01", "bev+", "bev#", "a" * 33, "bev 01", ""):
        assert not contract.is_valid_kit_id(bad), bad
