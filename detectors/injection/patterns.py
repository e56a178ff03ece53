"""Payload patterns per injection class, written for hyperscan (no backreferences, no lookaround).

Patterns run case-insensitively on decoded, comment-folded, whitespace-squeezed text. Each one is a
shape that benign MLM text (names, addresses, product names, search terms, messages) does not take:
a keyword is never enough on its own, it needs the syntax around it.
"""

from __future__ import annotations

from detectors.injection.patterns_command import COMMAND

CLASSES = ("sqli", "xss", "traversal", "command", "ssti", "nosql")

SQLI = [
    r"\bunion\b[\s(]+((all|distinct)\s+)?\(?\s*select\b",
    (r"\bselect\b[\s\S]{1,120}\bfrom\b[\s(]+(information_schema|mysql\.|sys\.|pg_|sqlite_|dual\b|"
    r"all_|dba_|user_tab|master\.|sysobjects|syscolumns|rdb\$|msysobjects)"),
    (r"\b(information_schema|sqlite_master|pg_catalog|pg_shadow|sysobjects|syscolumns|"
    r"all_tab_columns|dba_users|msysaccessobjects|msysobjects|rdb\$\w+)\b"),
    (r"\b(sleep|pg_sleep|benchmark|dbms_lock\.sleep|dbms_pipe\.receive_message|randomblob|"
    r"sys\.sleep|sleep_until)\s*\(\s*['\"(]?\s*\d"),
    r"\bwaitfor\s+(delay|time)\s+['\"\d]",
    (r"\b(extractvalue|updatexml|load_file|utl_inaddr\.get_host_\w+|ctxsys\.drithsx\.sn|xmltype|"
    r"dbms_xmlgen|gtid_subset|json_keys|exp\s*\(\s*~|geometrycollection|multipoint|"
    r"multilinestring|multipolygon|name_const|row_to_json|"
    r"array_to_string|string_agg|group_concat|make_set|elt|procedure\s+analyse)\s*\("),
    r"\binto\s+(out|dump)file\b",
    r"@@(version|datadir|hostname|basedir|tmpdir|servername|spid|language)\b",
    r"\b(char|chr|nchar)\s*\(\s*\d+\s*\)\s*(\+|\|\||,)\s*(char|chr|nchar)\s*\(",
    r"\bchar\s*\(\s*\d+\s*(,\s*\d+\s*){2,}\)",
    (r"['\"`)]\s*(or\b|and\b|xor\b|\|\||&&)\s*['\"(]*\s*[\w'\"]*['\"]?\s*(=|<>|!=|[<>]['\"\d]|"
    r"(r?like|regexp)\s*['\"\d%(]|between\s*['\"\d]|is\s+not\s+null|in\s*\(\s*['\"\d(]|in\s*\(\s*select)"),
    r"\b(polygon|linestring)\s*\(\s*\(?\s*select\b",
    (r"\b(or|and|xor|\|\||&&)\s+(not\s+)?\(?\s*['\"]?(\d+|true|false|null)['\"]?\s*(=|<>|!=|is\b|"
    r"like\b|rlike\b|between\b)\s*\(?['\"]?(\d+|true|false|null)"),
    # "2 < 4" in prose is spaced and carries on; a comparison payload is tight or ends in a comment
    (r"\b(or|and|xor|\|\||&&)\s+(not\s+)?\(?['\"]?\d+['\"]?([<>]['\"]?\d+|\s*[<>]\s*['\"]?\d+['\"]?\s*"
    r"(--|#|;|/\*))"),
    r"\b(or|and)\s+(not\s+)?['\"][a-z0-9]+['\"]\s*(=|like)\s*['\"]",
    (r"['\"`\d)]\s*;\s*(drop\s+(table|database|schema|user|view)|delete\s+from|insert\s+into|"
    r"update\s+\w+\s+set|create\s+(table|user|database|function|procedure)|alter\s+(table|user)|"
    r"truncate\s+table|exec(ute)?\s*(\(|xp_|sp_|master|@|immediate)|declare\s+@|shutdown|"
    r"select\s+(\d|null|@@|\*|sleep|pg_sleep|char|concat|version|user|current_user|load_file|"
    r"benchmark|case|if\s*\()|waitfor\s+delay|grant\s+\w+|revoke\s+\w+|call\s+\w+\s*\()"),
    r";\s*shutdown\b\s*(with\s+nowait)?\s*(--|#|;|/\*|$)",
    r"\b(or|and)\s+(''|\"\")\s*=",
    r"\b(and|or)\s+\w+\s+is\s+(not\s+)?null\s*(;|--|#|/\*|\))",
    r"\b(xp_cmdshell|sp_executesql|sp_oacreate|sp_makewebtask|sp_password|xp_dirtree|xp_regread)\b",
    r"\border\s+by\s+\d+\s*(--|#|/\*|;|\)|,\s*\d)",
    r"['\"`)]\s*(order|group)\s+by\s+\d+",
    r"\b(or|and)\s+(not\s+)?(true|false)\s*(--|#|;|/\*)",
    r"\bgroup\s+by\b[\s\S]{1,80}\bhaving\b\s*\(?\s*\d+\s*=",
    r"\bcase\s+when\s*\(?\s*[\w'\".]+\s*(=|<>|!=|<|>)\s*[\w'\".]+\s*\)?\s*then\b",
    r"\bif\s*\(\s*\(?\s*['\"]?\w+['\"]?\s*(=|<|>|like)\s*['\"]?\w+['\"]?\s*\)?\s*,",
    r"\biif\s*\(\s*\d+\s*=\s*\d+",
    (r"\(\s*select\s+(\d|count|char|chr|concat|case|if|null|\*|@@|substring|substr|ascii|"
    r"sleep|pg_sleep|table_name|column_name|\(|[a-z_]+\s*\()"),
    (r"\bselect\s+(\*|null|@@|count\s*\(|concat|char\s*\(|0x|\d+\s*,\s*\d+|user\s*\(|"
    r"database\s*\(|version\s*\(|current_user|system_user|table_name|column_name|schema_name|"
    r"load_file|group_concat|sleep\s*\()"),
    r"\bnull\s*,\s*null\b",
    (r"\bcast\s*\([\s\S]{1,80}\bas\s+(char|varchar|nvarchar|int|integer|numeric|text|signed|"
    r"binary|decimal|bigint)\b"),
    r"\bconvert\s*\(\s*(int|varchar|nvarchar|char|numeric)\s*,",
    (r"\b(user|database|version|current_user|schema|system_user|session_user|"
    r"current_database|db_name|suser_name|user_name)\s*\(\s*\)\s*(,|\)|--|#|=|;|\|\||$)"),
    r"\bexists\s*\(\s*select\b",
    r"\w['\"]\)*\s*(--|#|;\s*--|/\*)[^'\"]{0,20}$",
    r"\b(substr|substring|mid|ascii|ord|length|hex|unhex)\s*\(\s*\(\s*select\b",
    r"\bconcat(_ws)?\s*\([\s\S]{0,80}(0x[0-9a-f]{2,}|char\s*\(|@@|select)",
    r"\b(rlike|regexp)\s*\(?\s*\(?\s*select\b",
    r"\blike\s+['\"]%?['\"]?\s*(--|#)",
    r"\binsert\s+into\b[\s\S]{1,80}\bvalues\s*\(",
    r"\bdrop\s+(table|database|schema|user)\s+[`'\"]?\w+[`'\"]?\s*(;|--|#)",
    r"\bdelete\s+from\s+\w+\s*(where\b|;|--|#)",
    r"\bupdate\s+\w+\s+set\s+\w+\s*=",
    r"\b(having|where)\s+\d+\s*=\s*\d+\b",
    r"'\s*\|\|\s*'|'\s*\+\s*'[\w\s]*'\s*\+\s*'",
    r"\blimit\s+\d+\s*,\s*\d+\s*(--|#|;|/\*)",
    r"\boffset\s+\d+\s+rows\s+fetch\b",
    r"\bunion\W{1,10}((all|distinct|distinctrow)\W{1,10})?\(?\s*select\b",
    r"\(\s*\d+\s*=\s*\d+\s*\)\s*\*\s*\w",
    # A bare quote probe: one quote alone, or quotes with SQL syntax and no text (quotes alone are weak).
    r"^\s*['\"`]\s*$",
    r"^[\s'\"`()#;=*/\\&^|+%!,.-]*['\"`][\s'\"`]*[()#;=*/\\&^|+%!,.-][\s'\"`()#;=*/\\&^|+%!,.-]*$",
    r"^[\s'\"`()#;=*/\\&^|+%!,.-]*[()#;=*/\\&^|+%!,.-][\s'\"`]*['\"`][\s'\"`()#;=*/\\&^|+%!,.-]*$",
    r"['\"`)]\s*(or|and)\s+\(?\s*(not\s+)?exists\b",
    r"['\"]\s*\(\s*select\b",
    r"\butl_(http|inaddr|file|smtp|tcp)\.",
    r"^\s*['\"]\s*(or|and)\s+(\d|['\"(]|true\b|false\b|not\b|null\b|[a-z_]+\s*(=|like\b))",
    r"@@[a-z_]{3,}\b",
    # Short probes from fuzzing lists: a quote then a comment or ';' opening the value, a quote glued
    # to '--', a value that is only a boolean tail ("AND 1", "or 2=2", "and USER=USER").
    r"^\s*['\"`]\)*\s*(--|;|/\*)",
    r"['\"`]\)*--",
    r"^\s*['\"`)]*\s*(and|or|xor|&&|\|\|)\s+(not\s+)?\(?\s*[-+]?\d+\s*\)?\s*(--|#|;|/\*|$)",
    r"^\s*(and|or|xor)\s+\w+\s*(=|<>|!=)\s*\w+\s*(--|#|;|/\*|$)",
    r"^[\w'\"`)]*\s*;\s*(--|#|/\*)",
    r"^\s*['\"`][\w.-]+['\"`]?\)*\s*(--|/\*)",
]

XSS = [
    r"</?script\b",
    r"<[a-z!][^>]{0,200}?[\s/\"'`](on[a-z]{3,25})\s*=",
    r"\b(javascript|vbscript)\s*:\s*([^\s\w]|\w+\s*[(`.=\[])",  # not prose ("JavaScript: The Good Parts")
    r"\bdata\s*:\s*(text/html|image/svg\+xml|application/(x-)?javascript)",
    (r"<(iframe|frameset|embed|applet|svg|isindex|xss|marquee|portal|bgsound|ilayer|animate|"
    r"keygen|noscript|xmp|plaintext)\b"),
    (r"<(frame\s+src|object\s+(data|type|classid)|meta\s+(http-equiv|content|charset)|base\s+href|"
    r"math\b[^>]{0,80}>\s*<|layer\s+src|import\s+implementation)"),
    r"<[a-z]+[^>]{0,200}\bstyle\s*=\s*['\"]?[^>]{0,200}(expression|javascript|url\s*\(|behavior)",
    (r"<[a-z]+[^>]{0,200}\b(src|href|action|formaction|data|background)\s*=\s*['\"]?\s*"
    r"(javascript|vbscript|data\s*:)"),
    (r"\b(alert|prompt|confirm)(\(\s*(\)|\d|['\"`/]|document|window|self|top|this|string|"
    r"location|[a-z_]+\.[a-z_]+)|`)"),
    (r"\b(eval|settimeout|setinterval|execscript|function)\(\s*['\"`(]?[\s\S]{0,60}"
    r"(alert|prompt|confirm|atob|fromcharcode|document|window|location)"),
    r"\bstring\.fromcharcode\s*\(",
    (r"\b(document|window|top|self|parent|frames|globalthis)(\.|\[\s*['\"`])(cookie|domain|"
    r"write|writeln|location|localstorage|sessionstorage|open|alert|eval|createelement|"
    r"documentelement|body\.innerhtml)"),
    r"\.(innerhtml|outerhtml)\s*=",
    r"\bexpression\s*\(\s*(alert|document|window|eval|javascript)",
    r"-moz-binding\s*:|\bbehavior\s*:\s*url|@import\s+['\"]?(javascript|http)",
    r"\b(srcdoc|formaction|xlink:href|dynsrc|lowsrc)\s*=",
    r"<!\[cdata\[|<!--[\s\S]{0,40}<script|<\?xml[\s\S]{0,80}<script",
    r"\bconstructor\s*\.\s*constructor\s*\(|\[\s*['\"`]constructor['\"`]\s*\]",
    r"[\"']\s*[;,+-]?\s*(alert|prompt|confirm)\(",
    r"\bnew\s+image\s*\(\s*\)\s*\.\s*src\s*=",
    r"\btop\s*\[\s*['\"`/]",
    (r"\bon(error|load|mouseover|focus|click|toggle|begin|animationstart|pointerover|"
    r"mouseenter|start|finish|transitionend|pageshow|hashchange|message|popstate|resize|"
    r"scroll|wheel|input|change|blur|submit|auxclick|dblclick)\s*=\s*['\"`]?\s*"
    r"(alert|prompt|confirm|eval|javascript|document|window|location|top|self|this|fetch|"
    r"import|\w+\s*\()"),
    r"<\s*/?\s*script\s*>",
    # An event handler written into an attribute the value lands in (no tag needed): '" onfocus='(alert)(1)'
    (r"(^|['\"`\s/])on(error|load|focus|focusin|focusout|blur|click|dblclick|auxclick|contextmenu|"
    r"mouse[a-z]+|key[a-z]+|pointer[a-z]+|touch[a-z]+|drag[a-z]*|drop|input|change|submit|reset|toggle|"
    r"begin|end|start|finish|animation[a-z]+|transition[a-z]+|pageshow|hashchange|message|popstate|"
    r"resize|scroll|wheel|copy|cut|paste|search|show|invalid|beforeunload|unload|play|playing|pause|"
    r"ended|canplay|loadstart|progress)\s*=\s*['\"`]?\s*(\(|\[|`|[a-z_$][\w$.]*\s*[(=\[`])"),
    # Script-context breakouts that call through an indirection, and prototype pollution.
    r"\(\s*\d+\s*,\s*(alert|prompt|confirm|eval)\s*\)",
    r"\.(find|map|filter|call|apply|foreach|some|every|reduce|then)\s*\(\s*(alert|prompt|confirm|eval)\b",
    r"(^|[;'\"/*])\s*throw\s+new\s+\w*error\s*\(",
    r"\b(window|self|parent|globalthis|frames)\s*\[\s*['\"`]",
    r"\b__proto__\s*(\[|\.|=)|\bconstructor\s*(\.|\[\s*['\"`]?)\s*prototype\b",
    r"'unsafe-(inline|eval)'|\bcontent-security-policy\s*:|\b(script|default|object)-src\s+(\*|'|https?:)",
    r"<(form|input|button|textarea|link|dialog|keygen)\b[\s/>]",
    # A property looked up by a (built) name and called: window['al'+'ert'](1), top["alert"](1)
    r"['\"`]\s*\]\(\s*[\d'\"`/]|\[\s*['\"`]\w*['\"`]\s*\+\s*['\"`]\w*['\"`]\s*\]",
    # A value that closes the attribute and the tag it lands in, then writes markup: ">xxx<P>yyy
    r"^\s*['\"`]\s*/?\s*>[^<]{0,80}<[a-z!/]",
    # Dangling markup: a tag whose URL attribute opens a quote the value never closes, so the page's own
    # text after it (tokens, secrets) is sent to that URL.
    r"<[a-z]+\s[^>]{0,100}\b(src|href|action|background|poster|formaction)\s*=\s*['\"]\s*(https?:)?//[^'\"<>]*$",
    # DOM sinks that run or load code a value supplies.
    (r"\.insertadjacenthtml\s*\(|\bdocument\.body\.inner(text|html)\s*=|\bnew\s+(shared)?worker\s*\(\s*['\"`]|"
     r"\bserviceworker\.register\s*\(|\bimport\s*\(\s*['\"`](https?:)?/|\beval\s*\(\s*[a-z_$][\w$.]*\s*\)"),
    # A whole value that is a protocol-relative URL: a script source or redirect target someone
    # else's page would load (people type https:// or www., never //host/).
    r"^\s*//[\w-]+(\.[\w-]+)*\.[a-z]{2,}(:\d+)?/",
]

TRAVERSAL = [
    r"\.\.+[\\/]",
    r"[\\/]\.\.+($|[\\/;?#])",
    (r"(^|[^\w.])/(etc|proc|sys|var|root|usr|bin|boot|dev|home)/(passwd|shadow|hosts|group|"
    r"issue|motd|crontab|self|version|cpuinfo|log|mail|spool|www|environ|fstab|sudoers|mtab|"
    r"\.bash_history|\.ssh|bin|lib|local|apache2|nginx|httpd|mysql|tmp)"),
    r"\b(boot|win|system|php|my|desktop)\.ini\b",
    r"\b(windows|winnt)[\\/]+(system32|win\.ini|system\.ini|repair|debug|panther)",
    r"\b[a-z]:[\\/]+(windows|winnt|boot\.ini|inetpub|xampp|wamp)",
    (r"(^|[\\/])\.(htaccess|htpasswd|env|git[\\/]|svn[\\/]|ssh[\\/]|aws[\\/]|bash_history|"
    r"npmrc|dockerenv|ds_store|bashrc|bash_profile|zshrc|netrc|git-credentials|pgpass|my\.cnf|viminfo|"
    r"mysql_history|psql_history|gnupg[\\/]|kube[\\/]|docker[\\/]config\.json)"),
    (r"\b(web\.config|wp-config\.php|config\.inc\.php|localsettings\.php|settings\.py|"
    r"id_rsa|id_dsa|authorized_keys|known_hosts|applicationhost\.config)\b"),
    (r"\b(file|php|phar|zip|expect|glob|zlib|compress\.zlib|compress\.bzip2|netdoc|jar|"
    r"ogg|rar|ssh2\.\w+)://"),
    r"\bphp://(filter|input|fd|memory|temp|stdin)",
    r"\bdata:(//)?(text/plain)?;base64,|\bdata://text/plain",  # a data: include (not data:image/png)
    r"::\$data\b",  # NTFS stream: index.php::$DATA reads the source
    r"[\\/]proc[\\/](self|\d+)[\\/](environ|cmdline|fd|maps|status|cwd|exe|root)",
    r"/etc/(passwd|shadow|hosts|group|issue|hostname|resolv\.conf|nginx|apache|httpd)",
    r"\\\\[a-z0-9._-]+\\(c\$|admin\$|ipc\$|share)",
    r"[\\/]\.[\\/]\.?\.[\\/]",
    r"\b(web-inf|meta-inf)[\\/]",
    r"([\\/%]\.\.){2,}",
    r"\.\.0x(2f|5c)|0x2e0x2e",
    # Absolute paths of system files, as whole LFI lists send them (no ../ needed with a bad include).
    r"(^|[\s=:'\"(,;|&])/(etc|proc|sys|root|boot|dev)/[\w.-]",
    r"(^|[\s=:'\"(,;|&])/var/(log|www|lib|mail|spool|run|tmp|backups|cache|opt|db|lock)/",
    r"(^|[\s=:'\"(,;|&])/usr/(local|lib|lib64|bin|sbin|share|src|etc|pkg)/",
    # A user's own folder (C:\Users\me\Documents) is something people type; only its secrets are targets.
    (r"^\s*['\"]?[a-z]:[\\/]+(documents and settings|program|windows|winnt|inetpub|xampp|wamp|boot\.ini|"
    r"system32|apache|php|mysql|sysprep|unattend|autoexec|config\.sys)"),
    r"\b[a-z]:[\\/]+users[\\/]+[^\\/]+[\\/]+(ntuser\.dat|appdata[\\/]|\.ssh[\\/])",
    r"\betc[\\/]+(passwd|shadow|master\.passwd)\b",  # however the path before it is spelled
]

SSTI = [
    (r"\{\{[^}]{0,200}?(\d\s*[*+/%-]\s*['\"]?\d|__\w+__|\bconfig\b|\bself\b|\brequest\b|"
    r"\bsettings\b|\blipsum\b|\bcycler\b|\bjoiner\b|\bnamespace\b|\burl_for\b|\bget_flashed|"
    r"\bg\.|\(|\[|'|\"|\||constructor|\$|#|\bdump\b|\b_self\b|\benv\b|\bapp\b)[^}]{0,200}\}\}"),
    (r"\$\{[^}]{0,200}?(\d\s*[*+/%-]\s*\d|\bclass\b|runtime|getclass|forname|\bexec\b|\bt\s*\(|"
    r"@|\bnew\s|\.\w+\(|\[|'|\"|#|\bjava\b|\bsystem\b|\bproduct\b|\bapplication\b)[^}]{0,200}\}"),
    r"[#*@~]\{[^}]{0,200}?(\d\s*[*+/%-]\s*\d|\(|@|\bt\s*\(|'|\")[^}]{0,200}\}",
    r"<%=?[\s\S]{0,200}%>",
    r"\{%[\s\S]{0,200}%\}",
    (r"__(class|mro|subclasses|globals|builtins|init|import|base|bases|dict|getattribute|"
    r"reduce|loader|spec)__"),
    (r"\bfreemarker\.template\.utility|\?new\s*\(\)|<#(assign|list|if|include)\b|\$\{\"?"
    r"freemarker"),
    r"#set\s*\(\s*\$|\$class\.inspect|#foreach\s*\(|\$\w+\.getclass\(\)",
    r"\bjava\.lang\.(runtime|processbuilder|system|class|thread)\b|\bgetruntime\s*\(",
    r"\{php\}|\{\$smarty\b|\{(system|passthru|exec|shell_exec|phpinfo|readfile)\s*\(",
    r"\{\{=|\[\[\$\{|\$\{\{|\{\{\{[^}]{0,80}[(.'\"]",
    r"@\(\s*\d+\s*[*+]\s*\d+\s*\)|@\{[^}]{0,80}[(;]",
    r"\bself\._templatereference__context|\bcycler\.__init__|\blipsum\.__globals__",
    r"\b(attr|popen)\s*\(\s*['\"](_|\\x5f|__)",
    r"\|\s*attr\s*\(|\|\s*(safe|e)\s*\}\}\s*\{\{|\bos\.popen\s*\(",
    r"\$\{\s*(7|\d+)\s*\*\s*\d+\s*\}|\{\{\s*\d+\s*\*\s*['\"]?\d+['\"]?\s*\}\}",
    r"\bnew\s+java\.|\bjavax\.script\.|\bscriptenginemanager\b|\bobject\.constructor",
    # Expression-language lookups: Log4Shell (plain and nested-obfuscated), OGNL, Spring class loader.
    r"\$\{\s*(jndi|env|sys|lower|upper|date|java|ctx|main|bundle|spring|k8s|docker|log4j|web|base64)\s*:",
    r"\$\{\s*\$\{|%\{[^}]{0,200}[#(@][^}]{0,200}\}|\bclass\.module\.classloader\b",
    r"\{\s*\d+\s*\*\s*['\"]?\d+['\"]?\s*\}|\[\[\s*\d+\s*\*\s*\d+\s*\]\]",  # Smarty/Thymeleaf probes
    r"\{\{\s*_(context|self|charset)\s*\}\}|\{math\s+equation\s*=|\{if\s+[^}]{0,60}(==|!=|\d\s*[*+]\s*\d)[^}]{0,60}\}",
    r"\{(fetch|include|eval|config_load)\s+\w+\s*=|\{if\s+\w+\s*\(|\bsmarty_internal_\w+|\{self::\w+\s*\(",
]

_NOSQL_OPS = (r"ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr|function|"
              r"elemmatch|size|type|all|mod|text|options|accumulator|lookup|jsonschema|"
              r"comment|natural|set|unset|rename|inc|push|pull|group|match|project")

NOSQL = [
    r"\[\s*\$(" + _NOSQL_OPS + r")\s*\]",
    r"[{,]\s*['\"]?\$(" + _NOSQL_OPS + r")['\"]?\s*:",
    r"^\$(" + _NOSQL_OPS + r")$",
    r"\bdb\.[a-z_]+\.(find|findone|insert|drop|remove|update|aggregate|count)\s*\(",
    r"\bdb\.(getcollectionnames|dropdatabase|getsiblingdb|eval)\s*\(",
    r"\bthis\.[a-z_]+\s*(==|!=|===|!==|>|<|\.match\s*\(|\.indexof\s*\()",
    r"['\"]\s*;\s*(return\s+(true|false|1|0|this|db|sleep)\b|while\s*\(|sleep\s*\(|var\s)",
    r"['\"]\s*\|\|\s*['\"]?(1|true|a)['\"]?\s*==\s*['\"]?(1|true|a)",
    r"\|\|\s*1\s*==\s*1|&&\s*this\.|\btrue\s*,\s*\$where\b",
    r"\$where\b[\s\S]{0,80}(sleep|function|this\.|return|while)",
    r"\bobject\.keys\s*\(\s*this\s*\)|\btojson\s*\(\s*this\s*\)",
    r"['\"]\s*\}\s*,\s*['\"]?\$(" + _NOSQL_OPS + r")",
    r"(^|[\s,{])\$(" + _NOSQL_OPS + r")\s*:",
    r"\bdo\s*\{[^}]{0,80}\}\s*while\s*\(",
]

PATTERNS: dict[str, list[str]] = {
    "sqli": SQLI, "xss": XSS, "traversal": TRAVERSAL, "command": COMMAND, "ssti": SSTI,
    "nosql": NOSQL,
}
