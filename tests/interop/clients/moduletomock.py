# The module the documented custom client "mocks": it evaluates these expressions in record
# mode and sends their values as responses. Replay must give the same values without it.
attribute = "Some attribute value"


def call_function(arg):
    return "Called with " + arg + "\nsecond line  \n"
