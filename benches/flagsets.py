"""Flag sets of the benches' command lines: `a b -- c -- (defaults)` is the
sets [a, b], [c] and [] (no flags); a trailing `--` adds nothing."""


def flag_sets(args):
    sets, cur = [], []
    for a in args + ["--"]:
        if a == "--":
            sets.append([] if cur == ["(defaults)"] else cur)
            cur = []
        else:
            cur.append(a)
    if len(sets) > 1 and sets[-1] == []:
        sets.pop()
    return sets
