"""Small Jinja snippets rendered by transformers' own chat-template environment.

Usage: python Fixtures/text/chat_templates/make_jinja_cases.py
Writes jinja_cases.json: for each snippet, the context and either the output or the error
class transformers' ImmutableSandboxedEnvironment raises (compiled by
transformers.utils.chat_template_utils._compile_jinja_template).
"""
import json
import pathlib

from transformers.utils.chat_template_utils import _compile_jinja_template

HERE = pathlib.Path(__file__).resolve().parent
CTX = {"messages": [{"role": "system", "content": "Sys"}, {"role": "user", "content": "Hi there"},
                    {"role": "assistant", "content": "Yo", "extra": None}],
       "s": "  Hello World  ", "n": 7, "f": 2.5, "xs": [3, 1, 2], "d": {"b": 2, "a": 1, "C": 3},
       "tools": None, "flag": True, "empty": "", "uni": "Grüße 👩‍💻", "words": ["a", "B", "a", "c"]}

CASES = [
    # whitespace control, trim_blocks, lstrip_blocks
    "a\n  {% if true %}\n  b\n  {% endif %}\nc",
    "a  {%- if true -%}  b  {%- endif -%}  c",
    "x {{- ' y ' -}} z",
    "{% for m in messages %}\n    {{ m.role }}\n{% endfor %}",
    "  {# comment #}\nafter",
    "a {%+ if true %}b{% endif %}",
    "{% if true +%}\nkept{% endif %}",
    "line\r\nnext\rlast\n",
    "{% raw %}{{ not evaluated }}{% endraw %}",
    # loops
    "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }} {% endfor %}",
    "{% for x in xs if x > 1 %}{{ x }}{{ loop.length }}{% endfor %}",
    "{% for x in [] %}no{% else %}empty{% endfor %}",
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
    "{% for k in d %}{{ k }}{% endfor %}",
    "{% for x in xs %}{% if x == 1 %}{% break %}{% endif %}{{ x }}{% endfor %}",
    "{% for x in xs %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}",
    "{% for x in xs %}{{ loop.previtem }}-{{ loop.nextitem }}|{% endfor %}",
    "{% for x in xs %}{{ loop.cycle('a', 'b') }}{% endfor %}",
    # scoping and namespace
    "{% set x = 1 %}{% for i in xs %}{% set x = i %}{% endfor %}{{ x }}",
    "{% set ns = namespace(x=1) %}{% for i in xs %}{% set ns.x = ns.x + i %}{% endfor %}{{ ns.x }}",
    "{% if true %}{% set y = 5 %}{% endif %}{{ y }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}",
    "{% set block %}  inner {{ n }} {% endset %}[{{ block }}]",
    "{% set t | upper %}shout{% endset %}{{ t }}",
    # macros and call blocks
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }}",
    "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body{% endcall %}",
    "{% macro m(a) %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}",
    "{% filter upper %}hello {{ n }}{% endfilter %}",
    "{% generation %}gen part{% endgeneration %} after",
    # tests
    "{{ messages is defined }}{{ missing is defined }}{{ missing is undefined }}{{ tools is none }}{{ tools is not none }}",
    "{{ s is string }}{{ n is string }}{{ d is mapping }}{{ xs is mapping }}{{ xs is iterable }}{{ n is iterable }}{{ s is sequence }}",
    "{{ n is number }}{{ f is number }}{{ flag is number }}{{ flag is boolean }}{{ flag is true }}{{ flag is false }}{{ n is integer }}{{ f is float }}",
    "{{ n is odd }}{{ n is even }}{{ n is divisibleby 7 }}{{ 2 is in xs }}{{ 'a' is eq 'a' }}{{ n is gt 3 }}{{ n is lt 3 }}",
    "{{ missing is sequence }}{{ missing is iterable }}{{ none is iterable }}",
    # filters
    "[{{ s | trim }}][{{ s | length }}][{{ xs | first }}][{{ xs | last }}][{{ xs | join(',') }}][{{ s | lower }}][{{ s | upper }}]",
    "{{ 'hello world-wide (x)' | title }} {{ 'hELLO wORLD' | capitalize }} {{ s | replace('l', 'L') }} {{ s | replace('l', 'L', 2) }}",
    "{{ d | items | list }} {{ d | dictsort }} {{ d | dictsort(by='value', reverse=true) }} {{ d | dictsort(case_sensitive=true) }}",
    "{{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'eq', 'user') | map(attribute='role') | join(',') }}",
    "{{ messages | map(attribute='missing', default='-') | join }} {{ xs | map('string') | join('+') }} {{ words | select('eq', 'a') | list }}",
    "{{ xs | sort }} {{ xs | sort(reverse=true) }} {{ words | sort }} {{ words | sort(case_sensitive=true) }} {{ words | unique | list }} {{ xs | reverse | list }} {{ s | reverse }}",
    "{{ missing | default('dflt') }} {{ empty | default('dflt') }} {{ empty | default('dflt', true) }} {{ none | d('x') }}",
    "{{ '42' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ n | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.4 | round(0, 'ceil') }}",
    "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(2, blank=true) }}",
    "{{ 'one two  three' | wordcount }} {{ xs | sum }} {{ xs | min }} {{ xs | max }} {{ '%s-%d' | format('a', 3) }} {{ 'x' | center(5) }}|",
    "{{ uni | length }} {{ uni | upper }} {{ uni[0] }} {{ uni[-1] }} {{ uni | list | length }}",
    "{{ d | tojson }} {{ messages[2] | tojson }} {{ xs | tojson(indent=2) }} {{ d | tojson(sort_keys=true) }}",
    "{{ {'u': uni, 'q': 'a\"b\\\\c\n\t', 'f': 1.0, 'g': 1e-7, 'h': 1e16, 'b': true, 'z': none, 'l': [], 'e': {}} | tojson }}",
    "{{ {'u': uni} | tojson(ensure_ascii=true) }} {{ {'a': [1, {'b': 2}]} | tojson(indent=4) }} {{ [1,2] | tojson(separators=[',', ':']) }}",
    "{{ s | safe }}{{ '<a>' | e }}{{ n | string }}{{ xs | string }}{{ d | string }}{{ messages[0] }}",
    # methods
    "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxaxx'.strip('x') }}|{{ s.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}",
    "{{ s.startswith('  He') }}{{ s.endswith('d  ') }}{{ 'abc'.startswith(('x', 'a')) }}{{ s.upper() }}{{ s.lower() }}{{ \"they're bill's\".title() }}{{ 'ab'.replace('b', 'c') }}",
    "{{ 'a-b'.find('-') }}{{ 'abcabc'.count('b') }}{{ '-'.join(['x', 'y']) }}{{ 'v{}-{}'.format(1, 'z') }}{{ '{a}!'.format(a=3) }}{{ '12'.isdigit() }}{{ 'ab\ncd'.splitlines() }}",
    "{{ d.get('a') }}{{ d.get('zz') }}{{ d.get('zz', 'no') }}{{ d.keys() | list }}{{ d.values() | list }}{{ d['a'] }}{{ d.a }}{{ d.zz }}|{{ xs.index(2) }}",
    "{{ messages[0]['role'] }} {{ messages[-1].content }} {{ messages[1:] | length }} {{ xs[::-1] }} {{ xs[1:] }} {{ 'hello'[1:3] }} {{ 'hello'[::-2] }} {{ xs[5] }}",
    # operators
    "{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ 2 ** 10 }} {{ 1.5 + 1 }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 3 }} {{ [1] + [2] }}",
    "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'ell' in 'hello' }} {{ 'a' in d }} {{ 4 not in xs }} {{ not flag }}",
    "{{ 'yes' if flag else 'no' }} [{{ 'only' if not flag }}] {{ none or 'x' }} {{ 0 and 1 }} {{ 2 and 3 }} {{ empty or messages | length }}",
    "{{ -n }} {{ +n }} {{ -f }} {{ (-n) | abs }} {{ -n | abs }}",
    "{{ -xs | length }}",
    "{{ missing }}|{{ missing | length }}|{{ missing | trim }}|{% for x in missing %}x{% endfor %}|{{ missing == missing }}|{{ messages[9] }}|{{ messages[0].nope }}",
    "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(5, 0, -2) | list }} {{ dict(a=1, b=2) }} {{ namespace(a=1).a }}",
    "{{ strftime_now('%Y-%m-%d') | length }}",
    # errors
    "{{ raise_exception('custom failure') }}",
    "{{ missing.attr }}",
    "{{ missing + 1 }}",
    "{{ xs.append(4) }}",
    "{{ 1 + 'a' }}",
    "{{ n | nosuchfilter }}",
    "{% if false %}{{ n | nosuchfilter }}{% endif %}ok",
    "{% if n is nosuchtest %}x{% endif %}",
    "{% for %}",
    "{{ 1 +  }}",
    "{% if true %}unclosed",
    "{% endfor %}",
    "{{ 'unterminated }}",
    "{% do xs %}",
    "{{ 1 / 0 }}",
    "{{ none | join }}",
    "{% set ns = namespace() %}{% set ns._x = 1 %}",
    "{{ messages | tojson }} {{ messages[1:] | map(attribute='content') | list | tojson }}",
    "\n  {%- for m in messages %}\n  {{- m.role | upper }}:{{ m.content }}\n  {% endfor -%}\n  end\n",
]


def main() -> None:
    out = []
    for template in CASES:
        entry = {"template": template}
        try:
            entry["output"] = _compile_jinja_template(template).render(**CTX)
        except Exception as error:
            entry["error"] = type(error).__name__
            entry["message"] = str(error)
        out.append(entry)
    doc = {"context": CTX, "cases": out}
    (HERE / "jinja_cases.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(len(out), "cases;", sum("error" in c for c in out), "errors")


if __name__ == "__main__":
    main()
