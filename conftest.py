pytest_plugins = ["servicekit.testing", "servicekit.testing_auth"]
