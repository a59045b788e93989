#!/usr/bin/env python3
"""Sets Vietnamese translations in a .po file from a JSON object {msgid: msgstr}, clearing the
fuzzy flag of each entry it sets. usage: po-translate.py assets/po/vi.po translations.json"""
import sys, json, re
def unq(lines):
    out=''
    for l in lines:
        m=re.match(r'^(?:msgid|msgstr)?\s*"(.*)"$', l)
        if m: out+=bytes(m.group(1),'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')
    return out
def q(s):
    return '"' + s.replace('\\','\\\\').replace('"','\\"').replace('\n','\\n') + '"'
po, tr = sys.argv[1], json.load(open(sys.argv[2]))
blocks=open(po, encoding='utf-8').read().split('\n\n')
done=set()
for i,b in enumerate(blocks):
    lines=b.split('\n')
    idl=[]; inid=False
    for l in lines:
        if l.startswith('msgid '): inid=True; idl=[l]; continue
        if l.startswith('msgstr'): inid=False
        elif inid and l.startswith('"'): idl.append(l)
    if not idl: continue
    mid=unq(idl)
    if mid in tr:
        keep=[l for l in lines if not l.startswith('#|') and l!='#, fuzzy' and not l.startswith('msgid') and not l.startswith('msgstr') and not l.startswith('"')]
        keep=[l.replace('#, fuzzy, ','#, ') for l in keep]
        blocks[i]='\n'.join(keep+['msgid '+q(mid),'msgstr '+q(tr[mid])])
        done.add(mid)
open(po,'w',encoding='utf-8').write('\n\n'.join(blocks))
missing=set(tr)-done
if missing: print('not found:', missing)
