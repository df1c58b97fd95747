"""Validate the hand-made gold files of this corpus (python3 check_gold.py).
Needs opencc (taken from ../../.venv if not importable)."""
import json, re, sys, unicodedata, subprocess, glob, os, html
D=os.path.dirname(os.path.abspath(__file__))+"/"
TYPES={"Person","Company","PartyOrganization","GovernmentOrganization","Organization","Place"}
PREDS={"holdsPosition","memberOf","hasPartyOrganization","partnerOf","founded","guides","subOrganizationOf","locatedIn"}
EVT={"Founding","Partnership","Meeting","Donation","Award","Visit","Other"}
ORG={"Company","PartyOrganization","GovernmentOrganization","Organization"}
# owner-left-out party bodies (names not literally in the text)
EXEMPT={"a01":{"锦程数智党支部"},"a03":{"桂品e购党支部"},"a05":{"鼎晟光电党支部"},"a06":{"海岳智能党委"},
        "b01":{"恒远智能党支部"},"b03":{"鸿泰鞋材党支部"},"b05":{"星瀚动力党支部"},"b06":{"宁波冠岱党支部"},"b07":{"蒙晟氢能党支部"},
        "c01":{"滇花汇党支部"},"c04":{"海辰船舶党支部"},"c06":{"重庆宏翊党支部"}}
try:
    import opencc as _oc
    _cc=_oc.OpenCC("t2s")
except ImportError:
    _cc=None
def t2s_many(strs):
    if _cc is not None:
        return [_cc.convert(s) for s in strs]
    code="import opencc,json,sys;c=opencc.OpenCC('t2s');print(json.dumps([c.convert(s) for s in json.load(sys.stdin)],ensure_ascii=False))"
    out=subprocess.run([os.path.join(D,"..","..",".venv","bin","python"),"-c",code],input=json.dumps(strs),capture_output=True,text=True,check=True).stdout
    return json.loads(out)
def norm(s):
    s=unicodedata.normalize("NFKC",s)
    return re.sub(r'[\s“”《》「」"]','',s)
texts={}
for f in ["a01","a02","a03","a04","a05","a06","b01","b02","b03","b04","b05","b06","c01","c02","c03","c04","c05","c06"]:
    texts[f]=open(D+f+".txt",encoding="utf-8").read()
h=open(D+"a07.html",encoding="utf-8").read()
body=re.search(r'<div class="article">(.*?)<div class="share">',h,re.S).group(1)
texts["a07"]=html.unescape(re.sub(r"<[^>]+>","",body))
h=open(D+"b07.html",encoding="utf-8").read()
body=re.search(r'<div class="detail-title">(.*?)<div class="bdsharebuttonbox">',h,re.S).group(1)
texts["b07"]=html.unescape(re.sub(r"<[^>]+>","",body))
h=open(D+"c07.html",encoding="utf-8").read()
body=re.search(r'<article class="news-article">(.*?)</article>',h,re.S).group(1)
texts["c07"]=html.unescape(re.sub(r"<[^>]+>","",body))
for i,l in enumerate(open(D+"a08.jsonl",encoding="utf-8"),1):
    o=json.loads(l); assert set(o)=={"text","title","url","date","source"},o.keys()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}",o["date"])
    texts[f"a08-{i}"]=o["title"]+"\n"+o["text"]
for i,l in enumerate(open(D+"b08.jsonl",encoding="utf-8"),1):
    o=json.loads(l); assert set(o)=={"text","title","url","date","source"},o.keys()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}",o["date"])
    texts[f"b08-{i}"]=o["title"]+"\n"+o["text"]
for i,l in enumerate(open(D+"c08.jsonl",encoding="utf-8"),1):
    o=json.loads(l); assert set(o)=={"text","title","url","date","source"},o.keys()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}",o["date"])
    texts[f"c08-{i}"]=o["title"]+"\n"+o["text"]
keys=list(texts); conv=t2s_many([texts[k] for k in keys]); texts={k:norm(v) for k,v in zip(keys,conv)}
docs={"a01":"a01.txt","a02":"a02.txt","a03":"a03.txt","a04":"a04.txt","a05":"a05.txt","a06":"a06.txt","a07":"a07.html","a08-1":"a08.jsonl:1","a08-2":"a08.jsonl:2","a08-3":"a08.jsonl:3",
      "b01":"b01.txt","b02":"b02.txt","b03":"b03.txt","b04":"b04.txt","b05":"b05.txt","b06":"b06.txt","b07":"b07.html","b08-1":"b08.jsonl:1","b08-2":"b08.jsonl:2","b08-3":"b08.jsonl:3",
      "c01":"c01.txt","c02":"c02.txt","c03":"c03.txt","c04":"c04.txt","c05":"c05.txt","c06":"c06.txt","c07":"c07.html","c08-1":"c08.jsonl:1","c08-2":"c08.jsonl:2","c08-3":"c08.jsonl:3"}
bad=0
def err(*a):
    global bad; bad+=1; print("ERROR",*a)
rows=[]
for k,doc in docs.items():
    g=json.load(open(D+k+".gold.json",encoding="utf-8"))
    if g.get("doc")!=doc: err(k,"doc",g.get("doc"))
    scr="traditional" if k in("a05","a06","b05","b06","c05","c06") else "simplified"
    if g.get("script")!=scr: err(k,"script")
    if set(g)!={"doc","script","entities","relations","events"}: err(k,"keys",set(g))
    ents={}; labels={}
    allnames=[e["name"] for e in g["entities"]]+[a for e in g["entities"] for a in e["aliases"]]
    sconv=t2s_many(allnames)
    for e in g["entities"]:
        if set(e)!={"name","type","aliases"}: err(k,"entkeys",e)
        if e["type"] not in TYPES: err(k,"type",e)
        if e["name"] in ents: err(k,"dup name",e["name"])
        ents[e["name"]]=e["type"]
        if t2s_many([e["name"]])[0]!=e["name"]: err(k,"not simplified",e["name"])
        found=False
        for lab in [e["name"]]+e["aliases"]:
            n=norm(t2s_many([lab])[0])
            if n in labels: err(k,"label repeats",lab,labels[n])
            labels[n]=e["name"]
            if lab!=lab.strip() or " " in lab: err(k,"space in",lab)
            if n in texts[k]: found=True
            elif lab in e["aliases"]: err(k,"alias not in text",lab)
        if not found and e["name"] not in EXEMPT.get(k,()): err(k,"not in text",e["name"])
        if found and e["name"] in EXEMPT.get(k,()): print("note: exempt but found",k,e["name"])
    seen=set()
    for r in g["relations"]:
        s,p,o=r["s"],r["p"],r["o"]
        if p not in PREDS: err(k,"pred",r)
        if s not in ents or o not in ents: err(k,"unknown end",r); continue
        key=(s,p,o) if p!="partnerOf" else (frozenset((s,o)),p)
        if key in seen: err(k,"dup relation",r)
        seen.add(key)
        ts,to=ents[s],ents[o]
        if p=="holdsPosition":
            if not r.get("role"): err(k,"no role",r)
        elif "role" in r: err(k,"role on non-holdsPosition",r)
        ok={"holdsPosition":ts=="Person" and to in ORG,
            "memberOf":ts=="Person" and to in ORG,
            "hasPartyOrganization":ts in {"Company","Organization","GovernmentOrganization"} and to=="PartyOrganization",
            "partnerOf":ts in ORG and to in ORG,
            "founded":ts in ORG and to in ORG,
            "guides":ts in ORG|{"Person"} and to in ORG,
            "subOrganizationOf":ts in ORG and to in ORG|{"Place"},
            "locatedIn":ts in ORG|{"Place"} and to=="Place"}[p]
        if not ok: err(k,"domain/range",r,ts,to)
    for ev in g["events"]:
        if ev["type"] not in EVT: err(k,"evtype",ev)
        d=ev["date"]
        if d is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?",d): err(k,"date",ev)
        for pt in ev["participants"]:
            if pt not in ents: err(k,"participant",pt)
        if not ev.get("trigger"): err(k,"trigger",ev)
        elif norm(ev["trigger"]) not in texts[k]: print("note: trigger not literal",k,ev["trigger"])
    # names used nowhere?
    used={x for r in g["relations"] for x in (r["s"],r["o"])}|{x for ev in g["events"] for x in ev["participants"]}
    iso=[n for n in ents if n not in used and ents[n]!="Person"]
    rows.append((k,len(g["entities"]),len(g["relations"]),len(g["events"]),iso))
for r in rows: print(*r)
print("errors:",bad)
sys.exit(1 if bad else 0)
