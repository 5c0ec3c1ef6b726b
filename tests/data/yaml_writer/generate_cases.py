"""Writes cases.txt: data structures and what PyYAML's yaml.dump(data, default_flow_style=False)
makes of them. tests/io/test_yaml_writer.cpp rebuilds each structure and compares bytes.

Run with PyYAML installed:  python3 generate_cases.py > cases.txt

Each case is three lines:
  CASE <sort_keys 0|1>
  <encoded data>   N null | B0 B1 | I<int> | F<16 hex digits: IEEE-754 bits> | S<hex UTF-8>
                   | L<n> items | T<n> items (tuple) | M<n> then n times: key (I<int> or S<hex>) value
  <hex of the expected YAML text>
"""
import random
import struct

import yaml

random.seed(20240611)

SPECIAL = ['null', 'Null', 'NULL', '~', 'true', 'True', 'FALSE', 'yes', 'No', 'on', 'OFF', 'y', 'n',
           '1', '0', '-1', '+1', '1.0', '1e3', '1.0e+3', '1.0e3', '.5', '-.5', '.inf', '-.Inf', '.nan',
           '0x1F', '0b101', '017', '08', '0o17', '1_000', '1:30', '1:60', '190:20:30.15',
           '2001-12-14', '2001-1-2 3:04:05', '2001-12-14t21:59:43.10-05:00', '<<', '=', '---', '...',
           '- a', '-a', 'a: b', 'a:b', '#x', 'a #b', 'a#b', '?x', '? x', ':x', ': x', '', ' ', 'a ',
           ' a', 'a\n', '\na', 'a\n\nb', 'a \nb', 'a\n b', "it's", "'", '"', 'x' * 130, 'y' * 122,
           'z' * 123, 'foo bar', '@x', '`x', '%x', '!x', '&x', '*x', '|x', '>x', '[x', '{x', ',x',
           'x,', 'x]', 'x}', 'x?', 'tab\there', 'cr\rhere', 'caf\u00e9', '\u00a0', '\u2028', '\x85',
           '\ufeff', '\U0001F600', '\x00', '\x7f', '\x1b', 'back\\slash', 'ends with colon:',
           'multi word value', 'l1_exc', 'my_multimeter', 'ht_neuron', './data/outputs/output']
ALPHABET = list("abcxyz ABC0123456789-_.:#,'\"[]{}!&*|>%@`?\\/=+~\t\n") + ['\u00e9', '\u2028']


def random_text():
    r = random.random()
    if r < 0.4:
        return ''.join(random.choice(ALPHABET) for _ in range(random.randint(0, 10)))
    words = [''.join(random.choice('abcdefgh') for _ in range(random.randint(1, 12)))
             for _ in range(random.randint(5, 40))]
    seps = [random.choice([' ', ' ', ' ', ' ', '  ', '\n', ' \n', '\n\n', "'", '\u00e9 ', '\t'])
            for _ in words]
    return ''.join(w + s for w, s in zip(words, seps))[:random.randint(0, 300)]


def random_float():
    r = random.random()
    if r < 0.5:
        return struct.unpack('d', struct.pack('Q', random.getrandbits(64)))[0]
    return random.uniform(-1, 1) * 10 ** random.randint(-25, 25)


FLOATS = [0.0, -0.0, 1.0, 0.1, 1e-5, 1e-4, 0.0001234, 1e15, 1e16, 1e22, 123456789012345678.0,
          1.5e300, 5e-324, float('inf'), -float('inf'), float('nan'), 100.0, -2.5, 1 / 3, 2 / 3,
          9007199254740993.0, 0.5, 20.0, 1.75, -70.0]


def random_node(depth=0):
    r = random.random()
    if depth > 3 or r < 0.45:
        k = random.random()
        if k < 0.05:
            return None
        if k < 0.1:
            return random.random() < 0.5
        if k < 0.25:
            return random.choice([0, 1, -1, 53, 10 ** 18, -(2 ** 63), 2 ** 63 - 1,
                                  random.randint(-10 ** 9, 10 ** 9)])
        if k < 0.45:
            return random_float()
        if k < 0.7:
            return random.choice(SPECIAL)
        return random_text()
    if r < 0.6:
        return [random_node(depth + 1) for _ in range(random.randint(0, 4))]
    if r < 0.7:
        return tuple(random_node(depth + 1) for _ in range(random.randint(0, 3)))
    int_keys = random.random() < 0.2
    return {(random.randint(0, 200) if int_keys else random.choice(SPECIAL + ['k1', 'k2', 'k3'])):
            random_node(depth + 1) for _ in range(random.randint(0, 4))}


def encode(x):
    if x is None:
        return 'N'
    if isinstance(x, bool):
        return 'B1' if x else 'B0'
    if isinstance(x, int):
        return 'I%d' % x
    if isinstance(x, float):
        return 'F%016x' % struct.unpack('Q', struct.pack('d', x))[0]
    if isinstance(x, str):
        return 'S' + x.encode('utf-8').hex()
    if isinstance(x, (list, tuple)):
        head = ('L%d' if isinstance(x, list) else 'T%d') % len(x)
        return ' '.join([head] + [encode(item) for item in x])
    parts = ['M%d' % len(x)]
    for key, value in x.items():
        parts.append(encode(key))
        parts.append(encode(value))
    return ' '.join(parts)


def case(data, sort_keys=False):
    print('CASE %d' % sort_keys)
    print(encode(data))
    print(yaml.dump(data, default_flow_style=False, sort_keys=sort_keys).encode('utf-8').hex())


for text in SPECIAL:  # each string as a root, a value, a key and a list item
    case(text)
    case({'key': text, text: 'value'})
    case([text, {'nested': [text]}])
for x in FLOATS:
    case({'x': x, 'in_list': [x], 'tuple': (x, x)})
case([random_float() for _ in range(200)])
for _ in range(20):
    case({'text': random_text(), 'list': [random_text(), random_text()]})
for i in range(120):
    case(random_node(), sort_keys=(i % 3 == 0))
