"""The page: verdicts, the top block, the sections and the HTML around them."""
