"""Check the built docs site: the home page and the descriptors page render with their content in headless Chromium,
and every link from one page to another (and to a heading in it) arrives.

Usage (after `python docs/build.py`): `python docs/check_site.py [--screenshot DIR]`
Needs Debian's `chromium` (`.ci/run` installs it).
"""
import re, shutil, subprocess, sys, tempfile
from pathlib import Path
from urllib.parse import urlparse
from build import DOC_HOST, anchors   # nbdev's doc links (footdesc/_modidx.py) point at the published site: the same pages

SITE = Path(__file__).resolve().parent.parent/"_site"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
EXPECTED = {  # page: strings a reader must see once the page has rendered
    "index.html": ["Deep multi-label CNNs", "footdesc demo", "nbdev-test", "Curved-wavy", "D14"],
    "descriptors.html": ["The table", "Descriptor", "parse_codes", "D02-01", "Target", "close_hierarchy", "encode"],
    "real_prints.html": ["Zero-shot", "cross-validation", "What transfers", "chance"],
}

def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe: raise SystemExit("chromium not found: install Debian's chromium (apt-get install chromium)")
    return exe

def rendered_text(page:Path)->str:
    "The DOM of `page` after Chromium has loaded it, as visible text."
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                             capture_output=True, text=True, timeout=120).stdout
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))

def screenshot(page:Path, out:Path):
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}", "--window-size=1200,1400",
                        page.as_uri()], capture_output=True, timeout=120)

def broken_links()->list[str]:
    "Links to the site's own pages (`page.html`, `page.html#heading`, `#heading`, or the published site's URL of a page) that arrive nowhere."
    pages = {p.name: p.read_text(encoding="utf-8") for p in SITE.glob("*.html")}
    ids = {name: anchors(html) for name, html in pages.items()}
    broken = []
    for name, html in sorted(pages.items()):
        for href in sorted(set(re.findall(r'href="([^"]*)"', html))):
            for prefix in (DOC_HOST, urlparse(DOC_HOST).path): href = href.removeprefix(prefix)   # the published site's pages are these
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", href, re.I): continue   # another site, mail: not ours to check
            target, _, anchor = href.partition("#")
            target = target.split("?")[0].removeprefix("./") or name
            if not target.endswith(".html"): continue   # an image, a stylesheet, the search index
            if target not in pages: broken.append(f"{name} links to {href}: no page {target}")
            elif anchor and anchor not in ids[target]: broken.append(f"{name} links to {href}: {target} has no heading #{anchor}")
    return broken

def main():
    failures = broken_links()
    if not failures: print("ok: every link between pages arrives")
    for name, wanted in EXPECTED.items():
        page = SITE/name
        if not page.exists(): failures.append(f"{page} was not built"); continue
        text = rendered_text(page)
        missing = [w for w in wanted if w not in text]
        if missing: failures.append(f"{name}: rendered page lacks {missing}")
        else: print(f"ok: {name} renders ({len(text):,} characters of text)")
        if "--screenshot" in sys.argv: screenshot(page, Path(sys.argv[sys.argv.index("--screenshot")+1])/(page.stem+".png"))
    if failures: raise SystemExit("docs check failed:\n" + "\n".join(failures))

if __name__ == "__main__": main()
