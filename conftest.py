pytest_plugins = ["servicekit.testing", "servicekit.testing_auth", "toit_ui.testing"]
