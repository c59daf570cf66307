import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkTemplate } from './template.js';

const LLAMA3 = `{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}`;

const MISTRAL = `{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}`;

const QWEN_TOOLS = `{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {{- "\\n\\n# Tools\\n\\n<tools>" }}
    {%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}
    {{- "\\n</tools>\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' }}{{- tool_call.name }}{{- '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}
        {%- endfor %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}`;

const DEEPSEEK = `{% set ns = namespace(is_first=false, is_tool=false, system_prompt='') %}{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}{{ bos_token }}{{ ns.system_prompt }}{%- for message in messages %}{%- if message['role'] == 'assistant' and message['content'] is not none %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{%- endif %}{%- endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}`;

const LLAMA31_HEADER = `{%- if not date_string is defined %}{%- set date_string = strftime_now("%d %b %Y") %}{%- endif %}{{- "Environment: ipython\\n" }}{{- "Today Date: " + date_string + "\\n\\n" }}{%- for t in tools %}{{- t | tojson(indent=4) }}{{- "\\n\\n" }}{%- endfor %}{{- messages[0]['content']|trim }}`;

const BENIGN = [
  LLAMA3,
  MISTRAL,
  QWEN_TOOLS,
  DEEPSEEK,
  LLAMA31_HEADER,
  "{% for message in messages %}{{ message['role'].title() }}: {{ message['content'] }}\n{% endfor %}",
  '{% for message in messages %}{% if message.class == "important" %}IMPORTANT: {{ message.content }}{% endif %}{% endfor %}',
  '',
  'Plain text that mentions __class__ and os.system outside any Jinja block.',
  "{% raw %}{{ ''.__class__.__mro__ }}{% endraw %}{{ message.content }}",
  '{# {{ cycler.__init__.__globals__ }} is how the CVE works #}{{ message.content }}',
  `{% for message in messages %}${'A'.repeat(60_000)}{{ message['content'] }}{% endfor %}`,
];

const MALICIOUS: [string, string][] = [
  [
    'CVE-2024-34359',
    "{% for c in [].__class__.__base__.__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}{{ c()._module.__builtins__['__import__']('os').system('id') }}{% endif %}{% endfor %}",
  ],
  ['cycler globals', "{{ cycler.__init__.__globals__.os.popen('id').read() }}"],
  ['joiner globals', "{{ joiner.__init__.__globals__.__builtins__.__import__('os') }}"],
  ['lipsum globals', "{{ lipsum.__globals__['os'].system('id') }}"],
  ['namespace init', '{{ namespace.__init__.__globals__ }}'],
  ['self reference', "{{ self.__init__.__globals__['__builtins__'] }}"],
  ['attr filter', "{{ ''|attr('__class__')|attr('__mro__') }}"],
  ['subscript', "{{ ''['__class__'] }}"],
  ['hex escapes', "{{ request['application']['\\x5f\\x5fglobals\\x5f\\x5f'] }}"],
  ['unicode escapes', "{{ x['\\u005f\\u005fclass\\u005f\\u005f'] }}"],
  ['octal escapes', "{{ x['\\137\\137class\\137\\137'] }}"],
  ['named escapes', "{{ x['\\N{LOW LINE}\\N{LOW LINE}class\\N{LOW LINE}\\N{LOW LINE}'] }}"],
  ['tilde concatenation', "{{ x['__cla' ~ 'ss__'] }}"],
  ['plus concatenation', "{{ x['__cla' + 'ss__'] }}"],
  ['adjacent literals', "{{ x['__cla' 'ss__'] }}"],
  ['join', "{{ x|attr(['__cla', 'ss__']|join) }}"],
  ['reverse', "{{ x|attr('__ssalc__'|reverse) }}"],
  ['lower', "{{ x|attr('__CLASS__'|lower) }}"],
  ['replace', "{{ x|attr('XXclassXX'|replace('X', '_')) }}"],
  ['percent-c', "{{ x|attr('%c%cclass%c%c' % (95, 95, 95, 95)) }}"],
  ['format-c', "{{ x|attr('{:c}{:c}class{:c}{:c}'.format(95, 95, 95, 95)) }}"],
  ['chr', "{{ x[chr(95) ~ chr(95) ~ 'class' ~ chr(95) ~ chr(95)] }}"],
  ['format field', "{{ '{0.__class__}'.format(x) }}"],
  ['keyword name', '{{ dict(__class__=1)|list|first }}'],
  ['split across statements', "{% set a = '__glo' %}{% set b = 'bals__' %}{{ x[a ~ b] }}"],
  ['getattr', "{{ getattr(getattr('', '__class__'), '__mro__') }}"],
  ['mangled private', '{{ self._TemplateReference__context.cycler }}'],
  ['os module', "{{ os.popen('id').read() }}"],
  ['eval call', "{{ eval('1+1') }}"],
  ['whitespace control', '{%- set x = cycler.__init__ -%}{{- x -}}'],
  ['bracketed close', "{{ {'a': '}}'}['a'] ~ ''.__class__ }}"],
];

describe('checkTemplate', () => {
  it('passes real chat templates and literal text', () => {
    for (const template of BENIGN)
      assert.deepEqual(checkTemplate(template), [], template.slice(0, 80));
  });

  it('flags every sandbox escape, however it is spelled', () => {
    for (const [name, template] of MALICIOUS) {
      const findings = checkTemplate(template);
      assert.equal(findings.length, 1, name);
      assert.equal(findings[0]?.rule, 'RS303', name);
      assert.ok(
        ['critical', 'high'].includes(findings[0].severity ?? ''),
        `${name}: ${findings[0].severity}`,
      );
      assert.ok((findings[0].evidence ?? '').length > 0, name);
    }
  });

  it('rates template loading as medium and private attributes as low', () => {
    assert.equal(checkTemplate("{% include 'other.j2' %}")[0]?.severity, 'medium');
    assert.equal(checkTemplate("{% from 'macros' import m %}")[0]?.severity, 'medium');
    assert.equal(checkTemplate('{{ message._id }}')[0]?.severity, 'low');
  });

  it('quotes the offending block as evidence', () => {
    const [finding] = checkTemplate(`${LLAMA3}{{ cycler.__init__.__globals__ }}`);
    assert.equal(finding?.evidence, '{{ cycler.__init__.__globals__ }}');
  });

  it('does not crash on malformed templates', () => {
    for (const template of [
      '{{ unclosed_bracket',
      '{%',
      '{{',
      "{{ 'open string",
      '{#',
      '{{ "\\',
      "{{ '\\x5' }}",
      "{{ '\\N{LOW' }}",
    ]) {
      assert.ok(Array.isArray(checkTemplate(template)));
    }
    assert.equal(checkTemplate('{{ x.__class__')[0]?.severity, 'critical');
  });

  it('never throws on arbitrary text or arbitrary Jinja-like fragments', () => {
    const fragment = fc.constantFrom(
      '{{',
      '}}',
      '{%',
      '%}',
      '{#',
      '#}',
      "'",
      '"',
      '\\',
      '__class__',
      ' ',
      'raw',
      'endraw',
      '[',
      ']',
      '~',
      'x',
      '.',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fragment).map((parts) => parts.join('')),
        ),
        (text) => {
          assert.ok(Array.isArray(checkTemplate(text)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('finds an escape appended to any benign template', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BENIGN), fc.constantFrom(...MALICIOUS), (benign, [, evil]) => {
        assert.equal(checkTemplate(benign + evil).length, 1);
      }),
    );
  });
});
