"""OS command injection patterns (hyperscan syntax): a separator, a command a shell runs, and its arguments.

Split from patterns.py (which gathers every class); the same rules hold: a command word is never
enough on its own, the separator or argument syntax around it is.
"""

from __future__ import annotations

# Shell commands that are also English words need argument-shaped context to count.
_CMD_PLAIN = (r"whoami|uname|ifconfig|ipconfig|netstat|wget|curl|ncat|netcat|nc|bash|sh|zsh|ksh|"
              r"dash|powershell|pwsh|certutil|cmd|cmd\.exe|systeminfo|tasklist|nslookup|printenv|"
              r"ls|id|python[23]?|perl|ruby|php|telnet|busybox|socat|mkfifo|nohup|xterm|base64|"
              r"chmod|gcc|passwd|rm\s+-rf|/bin/\w+|/usr/bin/\w+|java|node|lua|tclsh|sudo|ssh|scp|tftp|wmic|"
              r"crontab|getent|iptables|systemctl|dmesg|killall|pkill|traceroute|tracert|taskkill|schtasks|"
              r"bitsadmin|mshta|rundll32|regsvr32|cscript|wscript|findstr|icacls|lsb_release")
_CMD_WORDS = (r"cat|ping|sleep|echo|type|dir|net|env|head|tail|more|less|find|host|dig|expr|"
              r"timeout|touch|rm|cp|mv|kill|ps|awk|sed|grep|set|ver|del|copy|start|tac|nl|od|"
              r"xxd|strings|file|who|uptime|hostname|pwd|df|du|usleep|printf|chown|mkdir|xargs|base32|ftp|"
              r"telnet|waitfor")  # not date, free, last, read, sort: "`free` shipping" is prose
_CMD_ARGS = (r"(\s+(-{1,2}[a-z]|/[a-z]|~|\\|\$[a-z{(]|\.{1,2}/|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|"
             r"https?:|[\w.-]+\.(txt|sh|php|py|pl|exe|bat|ps1|ini|conf|log)\b|%[a-z]+%|[a-z]:\\|/\s*$|/\s+-[a-z]|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\b)|"
             r"\$\{?ifs\}?|<\s*/)")
# Command words a shell runs that do not double as everyday English words at the start of a value.
_CMD_LEAD = (r"cat|ping|sleep|echo|dir|head|tail|find|dig|expr|timeout|touch|rm|cp|mv|kill|ps|awk|sed|"
             r"grep|tac|nl|od|xxd|strings|uptime|hostname|pwd")
_CMD_UNAMBIGUOUS = (r"whoami|uname|ifconfig|ipconfig|netstat|nslookup|systeminfo|tasklist|certutil|"
                    r"printenv|busybox|socat|mkfifo|ncat|netcat|pwd")
_CMD_UNAMBIGUOUS_MORE = _CMD_UNAMBIGUOUS + (r"|powershell|pwsh|wget|nohup|xterm|cmd\.exe|/bin/\w+|/usr/bin/\w+|rm\s+-rf|"
                                              r"getent|iptables|systemctl|dmesg|traceroute|tracert|taskkill|"
                                              r"schtasks|bitsadmin|mshta|rundll32|regsvr32|cscript|wscript|"
                                              r"findstr|icacls|lsb_release|wmic")
_SEP_STRONG = r"(;|\|\|?|&&|\n|\r|`|\$\(|\$\{ifs\})"
# Prose separates lists with ';', '|' and new lines ("Java | Python", "Name; ID"), so after those an
# English-looking command word needs arguments; after '&&', '||', '`' or '$(' it does not.
_SEP_SHELL = r"(\|\||&&|`|\$\(|\$\{ifs\})"

COMMAND = [
    _SEP_STRONG + r"\s*\{?(" + _CMD_UNAMBIGUOUS_MORE + r")\b",
    _SEP_SHELL + r"\s*\{?(" + _CMD_PLAIN + r")\b",
    _SEP_STRONG + r"\s*\{?(" + _CMD_PLAIN + r")" + _CMD_ARGS,
    r"(;|\||\n)(id|ls|pwd|dir|ps|env|w|who|date|uname|hostname|ver|vol|read)\s*($|[;|&`)#\n'\"])|(;|\||\n)\s+(id|ls|pwd|dir|ps)\s*[;|&`)#\n'\"]|\n\s*(id|ls|pwd)\s*$|\|\s*(id|whoami)\s*$",
    r"&\s*(" + _CMD_UNAMBIGUOUS + r")\b",
    r"&\s*(id|ls|pwd|dir|ps)\s*[;&|#`'\"]|&(id|ls|pwd|dir|ps|ver|env|who|hostname|whoami|date)\s*$",
    r"(;|\||\n|&)(env|set|printenv|export|read|id|ls|pwd|who|uname|date|hostname|ver|ps|dir|whoami)\s*[;|&`#'\"]",  # ;env; &set&: tight, unlike "Game & Set & Match"
    # PHP code breaking out of a string or statement: ';exit(md5('x'));// ".die(1)."
    r"[;.]\s*(exit|die|eval|assert|system|passthru|phpinfo|md5|print_r|var_dump|base64_decode)\((['\"\d$]|\)|\w+\()",
    r"&\s*(" + _CMD_PLAIN + "|" + _CMD_WORDS + r")\b" + _CMD_ARGS,
    _SEP_SHELL + r"\s*\{?(" + _CMD_WORDS + r"|ver|ps|env|who|date|hostname)(\s*($|[;|&`)#\n'\"])|" + _CMD_ARGS + ")",
    # A substitution of one bare recon command: $(date), $(hostname) (jQuery's $(document) is not one)
    r"\$\(\s*(date|who|w|ver|hostname|env|set|ps|id|ls|pwd|whoami|uname|printenv|last|history)\s*\)",
    _SEP_STRONG + r"\s*\{?(" + _CMD_WORDS + r")" + _CMD_ARGS,
    r"(^|&)\s*(" + _CMD_PLAIN + "|" + _CMD_LEAD + r")" + _CMD_ARGS,
    r"`\s*(" + _CMD_PLAIN + "|" + _CMD_WORDS + r")\b[^`]{0,80}`",
    r"\$\(\s*(" + _CMD_PLAIN + "|" + _CMD_WORDS + r")\b",
    r"\$\{ifs\}|\$ifs\$\d|\$\{path:0:1\}|\$\{home:0:1\}|\$\{[a-z_]+//?[^}]*\}",
    r"\{(cat|ls|id|echo|wget|curl|nc|bash|sh|ping|whoami|uname),",
    r"\bcmd(\.exe)?\s+/[ck]\b|\bpowershell(\.exe)?\s+(-|iex|invoke)",
    r"\b(nc|ncat|netcat)\s+(-[elvnpc]|\d{1,3}\.\d)",
    r"[<>]\s*/dev/(tcp|udp)/|/dev/tcp/",
    r"\b(bash|sh|zsh)\s+-[ic]\b",
    r"\bping\s+(-[ncw]\s*\d+|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)",
    r"[;|&`\n]\s*sleep\s+\d+",
    r"\b(curl|wget)\s+(-[a-z]+\s+)*(https?://|ftp://|\d{1,3}\.\d{1,3}\.)",
    r"\(\)\s*\{\s*:?\s*;?\s*\}\s*;|\(\)\s*\{[^{}]{0,20};\s*\}\s*[;>]",  # Shellshock: () { :;}; and () { _; } >_
    (r"\b(cat|more|less|head|tail|tac|nl|type)\s+[^\s;|&]{0,40}(/etc/|\\windows\\|passwd|"
    r"win\.ini|\.ssh|/proc/)"),
    r"\|\s*(sh|bash)\b|\b(sh|bash)\s*<\s*\(",
    (r"\b(system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|os\.system|"
    r"subprocess\.\w+|child_process\.\w+)\(\s*['\"$`]"),
    r"\bruntime\.getruntime\(\)\.exec|\brequire\s*\(\s*['\"]child_process",
    r"\b(whoami|uname(\s+-a)?)\s*(;|\||&&|#|$)",
    # echo of a marker: tight after the separator, quoted, holding a digit, or closed by a separator
    # ("Set of 3 | Echo Dot" is a product list)
    (r"[;|&`\n]echo\s+['\"]?\w+['\"]?\s*($|[;|&`#])|[;|&`\n]\s*echo\s+(['\"]\w+['\"]|[a-z_]*\d\w*)\s*($|[;|&`#])|"
     r"[;|&`\n]\s*echo\s+\w+\s*[;|&`#]"),
    r"[;|&`\n]\s*net\s+(user|localgroup|share|view|use|group|accounts)\b",
    r"(^|[;|&\s`(])/[a-z]?\?{2,}[a-z?]*/",
    # Globs standing for a system path or binary: /et?/pa?swd, /bin/ca? (a URL has a host before its path)
    r"(^|[;|&\s`(<])/[a-z?]{0,3}\?[a-z?]{0,3}/|(^|[;|&\s`(])/(usr/)?s?bin/[a-z]*\?",
    r"\bi''d\b|\bw'h'o'a'm'i\b|\bwh\"o\"am\"i\b|\bc\\a\\t\b|\bwho\\ami\b|\bl\\s\b",
    r"^\s*sleep\s+\d+\s*$|^\s*(ifconfig|ipconfig|netstat|whoami|systeminfo|sysinfo|printenv)\s*$",
    r"\bnet\s+(user|localgroup)\s+\S+|\bnetsh\s+(firewall|advfirewall|interface|wlan)\b",
    (r"\b(phpinfo|phpversion|system|passthru|shell_exec)\s*\(\s*\)|\b(eval|assert|exec|system|passthru)"
    r"\s*\(\s*['\"][^'\"]{0,80}['\"]\s*\)"),
    r"\breg(\.exe)?\s+(add|delete|query|save)\s+['\"]?hk",
    r"[|;&`]\s*sysinfo\b",
    r"\\n\s*(" + _CMD_PLAIN + r")\b",
    r"^\s*(id|whoami|uname|ls|pwd|ifconfig|ipconfig|netstat|ps|env|printenv)\s*(\||;|&&|\|\|)",
    r"\$\(\(\s*\d+\s*[-+*/]\s*\d+\s*\)\)|\$\{#\w+\}|\bif\s*\[\s*\S+\s+-(ne|eq|gt|lt)\s",  # commix probes
    # A whole value that is a shell separator and one command: "; id", "| ver", "&& timeout 5", ";{id}".
    r"^\s*(;|\|\|?|&&?|\n)\s*\{?(" + _CMD_PLAIN + r"|hostname)\}?\b[^;|&]{0,40}$",
    # English-looking command words only with nothing, a number, a flag or a path after them.
    r"^\s*(;|\|\|?|&&?|\n)\s*\{?(" + _CMD_WORDS + r"|ver|timeout)\}?(\s+(-{1,2}\w+|\d+|/\S*))*\s*$",
    # Interpreter calls that run a command or code string (Ruby, PHP, Node, Python).
    r"\b(eval|assert|exec|system|passthru|popen|spawn|execsync|spawnsync)\s*\(\s*['\"][^)]{0,80}\)",
    r"\bkernel\s*\.\s*(exec|system|spawn|exit|open|fork|eval|`)|%x[({\[]\s*['\"]?\s*[a-z]",
    r"\b(io\.popen|open3\.\w+|process\.spawn|child_process)\b",
    # What a shell or Windows recon step takes as arguments: a process list, the addresses, the sockets,
    # a pause of N seconds (a blind-injection timer), an interpreter one-liner.
    (r"(" + _SEP_STRONG + r"|&)\s*\{?(ps\s+(-?aux|-e[fl]?|-a?ef|-a)\b|ip\s+(a|addr|address|route|r|link|neigh|n)\b|"
     r"ss\s+-[a-z]+|(timeout|usleep|sleep|ping)\s+\d+|(waitfor|choice|timeout)\s+/[a-z]|"
     r"(python[23]?|perl|ruby|php|node|lua)\s+-[rce]\b)"),
    r"(^|[;|&`\n(])\s*(timeout|waitfor|choice)\s+/t\s+\d+",
    r"\b(python[23]?|perl|ruby|php|node|lua)\s+-[rce]\s*['\"]",
    r"\$'(\\(x[0-9a-f]{1,2}|[0-7]{1,3}|u[0-9a-f]{4})){2,}'",  # ANSI-C quoting: $'\x69\x64' is "id"
    r"<!--\s*#\s*(exec|include|echo|config|printenv|fsize)\s+\w+\s*=",  # server-side include
    # Variables assembled into a command: a=c;b=at;$a$b /etc/passwd
    r"(^|[;|&\n])\s*[a-z_]\w*=[^;|&\s]*;\s*[a-z_]\w*=[^;|&\s]*;\s*\$\{?[a-z_]\w*\}?\$",
    # PowerShell download-and-run and its aliases.
    (r"\biex\s*\(|\bnew-object\s+(system\.)?net\.webclient|\.download(string|file)\s*\(|"
     r"\binvoke-(expression|webrequest|restmethod)\b|\bstart-process\s+\S"),
]
