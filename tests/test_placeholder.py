def test_import():
    import httpkit.tls
    assert httpkit.tls.backend  # replaced by real tests
