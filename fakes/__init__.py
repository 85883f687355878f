"""What bench/ and tests/ share, and never ship: fakes of the platforms at their HTTP boundary
(the Telegram Bot API, the WhatsApp Graph API), fresh databases, and the fault scenarios that
`make faults` runs full size and tests/test_faults.py runs small."""
