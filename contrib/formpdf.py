#!/usr/bin/env python3
"""formpdf.py: the application form as PDF, written by hand (stdlib only).

  formpdf.py blank OUT                 the fillable form shipped as
                                       rules/application-form.pdf: one A4
                                       page, an AcroForm text field per form
                                       field, named exactly as the form's
                                       fields ("Full name", "Choice 1", ...)
  formpdf.py filled OUT [--tree] [--utf16] [--password PW] NAME=VALUE...
                                       the same form filled in the way other
                                       PDF writers do it (for tests): /V on
                                       the field; --tree: fields under a
                                       parent "application" (qualified names
                                       "application.Full name"), each value
                                       on a field whose widget is a /Kids
                                       entry; --utf16: every value as
                                       UTF-16BE with a BOM (else
                                       PDFDocEncoding); --password: encrypted
                                       (RC4, 40 bits) with that user password
  formpdf.py text OUT < TEXT           a PDF with no fields whose text layer
                                       holds TEXT (Helvetica, Latin-1), as a
                                       form printed to PDF or an OCRed scan

The output is the same bytes for the same arguments (no dates, fixed ids).
"""
import hashlib
import sys
import zlib

FIELDS = [
    ("Full name", ""),
    ("Email", "optional: the address you write from"),
    ("Medical school", ""),
    ("School country", ""),
    ("Year of study", "final"),
    ("Expected graduation", "YYYY-MM"),
    ("Degree held", "none, or the degree"),
    ("Core clerkships completed", "medicine, surgery, pediatrics, obstetrics-gynecology"),
    ("Request type", "clerkship"),
    ("English proficiency", "native, or: TOEFL score"),
    ("Choice 1", "course code and block, e.g. MED-401 2027-03"),
    ("Choice 2", ""),
    ("Choice 3", ""),
    ("Choice 4", ""),
    ("Choice 5", ""),
    ("Choice 6", ""),
    ("Faculty contact", "optional"),
]
PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def pdf_string(s, utf16=False):
    """A PDF literal string: PDFDocEncoding (Latin-1 here) or UTF-16BE with BOM."""
    if utf16 or any(ord(c) > 255 for c in s):
        raw = b"\xfe\xff" + s.encode("utf-16-be")
    else:
        raw = s.encode("latin-1")
    return raw


def literal(raw):
    out = bytearray(b"(")
    for b in raw:
        if b in b"()\\":
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b")")


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


class Pdf:
    def __init__(self):
        self.objs = []          # (number, parts): parts are bytes or ("str", raw) or ("stream", raw)
        self.key = None

    def add(self, parts):
        self.objs.append(parts)
        return len(self.objs)

    def set(self, num, parts):
        self.objs[num - 1] = parts

    def reserve(self):
        return self.add([])

    def encrypt(self, password, fileid):
        """Standard security handler, revision 2 (algorithms 3.2, 3.3, 3.4)."""
        upw = (password.encode("latin-1") + PAD)[:32]
        o = rc4(hashlib.md5(upw).digest()[:5], upw)         # owner password = user password
        p = (-4 & 0xffffffff)
        h = hashlib.md5(upw + o + p.to_bytes(4, "little", signed=False) + fileid).digest()
        self.key = h[:5]
        u = rc4(self.key, PAD)
        return self.add([b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O ",
                         hex_(o), b" /U ", hex_(u), b" >>"]), True

    def _crypt(self, num, raw):
        if self.key is None:
            return raw
        k = hashlib.md5(self.key + num.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
        return rc4(k, raw)

    def write(self, out, root, encrypt_obj=None, fileid=b"clerkd-form-0001"):
        buf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for n, parts in enumerate(self.objs, 1):
            offsets.append(len(buf))
            buf += b"%d 0 obj\n" % n
            for part in parts:
                if isinstance(part, tuple) and part[0] == "str":
                    raw = part[1] if n == encrypt_obj else self._crypt(n, part[1])
                    buf += literal(raw)
                elif isinstance(part, tuple) and part[0] == "stream":
                    raw = self._crypt(n, zlib.compress(part[1], 9))
                    buf += b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(raw) + raw + \
                        b"\nendstream"
                else:
                    buf += part
            buf += b"\nendobj\n"
        xref = len(buf)
        buf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objs) + 1)
        for off in offsets:
            buf += b"%010d 00000 n \n" % off
        buf += b"trailer\n<< /Size %d /Root %d 0 R /ID [%s %s]" % (
            len(self.objs) + 1, root, hex_(fileid), hex_(fileid))
        if encrypt_obj:
            buf += b" /Encrypt %d 0 R" % encrypt_obj
        buf += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
        with open(out, "wb") as f:
            f.write(buf)


def hex_(b):
    return b"<" + b.hex().encode() + b">"


def pdftext(s):
    """Text for a Helvetica content stream (WinAnsi, Latin-1 here)."""
    return literal(s.encode("latin-1", "replace"))


def page_objects(pdf, content, annots=None):
    font = pdf.add([b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                    b" /Encoding /WinAnsiEncoding >>"])
    pages = pdf.reserve()
    stream = pdf.add([("stream", content)])
    page = pdf.add([b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842]"
                    b" /Resources << /Font << /Helv %d 0 R >> >> /Contents %d 0 R" % (pages, font, stream)]
                   + ([b" /Annots [" + b" ".join(b"%d 0 R" % a for a in annots) + b"]"] if annots else [])
                   + [b" >>"])
    pdf.set(pages, [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page])
    return font, page, pages


def layout():
    """(name, hint, label y, field rect) for each field."""
    rows, y = [], 740
    for name, hint in FIELDS:
        rows.append((name, hint, y, (210, y - 5, 545, y + 13)))
        y -= 38 if hint else 30
    return rows


def form(out, values=None, tree=False, utf16=False, password=None):
    pdf = Pdf()
    rows = layout()
    c = bytearray(b"BT /Helv 16 Tf 50 790 Td (Application form: visiting clinical clerkship) Tj ET\n")
    c += b"BT /Helv 9 Tf 50 772 Td (Fill in the fields, save the file and send it back as an attachment." \
         b" Choices: course code and block.) Tj ET\n"
    for name, hint, y, r in rows:
        c += b"BT /Helv 10 Tf 50 %d Td %s Tj ET\n" % (y, pdftext(name + ":"))
        if hint:
            c += b"BT /Helv 7 Tf 212 %d Td %s Tj ET\n" % (y - 13, pdftext("(" + hint + ")"))
        c += b"0.6 G 0.5 w %d %d %d %d re S\n" % (r[0], r[1], r[2] - r[0], r[3] - r[1])
    encrypt_obj = None
    if password is not None:
        encrypt_obj, _ = pdf.encrypt(password, b"clerkd-form-0001")
    # Fields: reserve numbers first, the page needs its widgets.
    fields, widgets = [], []
    parent = pdf.reserve() if tree else None
    for name, hint, y, r in rows:
        fnum = pdf.reserve()
        wnum = pdf.reserve() if tree else fnum
        fields.append(fnum)
        widgets.append((wnum, fnum, name, r))
    font, page, pages = page_objects(pdf, bytes(c), [w for w, _, _, _ in widgets])
    for (wnum, fnum, name, r) in widgets:
        value = (values or {}).get(name)
        if value is None and values is None and name == "Request type":
            value = "clerkship"
        v = [b" /V ", ("str", pdf_string(value, utf16))] if value is not None else []
        rect = b"/Rect [%d %d %d %d]" % r
        widget = [b"/Type /Annot /Subtype /Widget /P %d 0 R /F 4 " % page + rect + b" /MK << /BC [0.6 0.6 0.6] >>"]
        field = [b"/FT /Tx /T ", ("str", pdf_string(name)), b" /DA (/Helv 10 Tf 0 g)"]
        if tree:
            pdf.set(fnum, [b"<< "] + field + [b" /Parent %d 0 R /Kids [%d 0 R]" % (parent, wnum)] + v + [b" >>"])
            pdf.set(wnum, [b"<< "] + widget + [b" /Parent %d 0 R >>" % fnum])
        else:
            pdf.set(fnum, [b"<< "] + field + [b" "] + widget + v + [b" >>"])
    if tree:
        pdf.set(parent, [b"<< /T (application) /Kids [" + b" ".join(b"%d 0 R" % f for f in fields) + b"] >>"])
        top = [parent]
    else:
        top = fields
    acro = pdf.add([b"<< /Fields [" + b" ".join(b"%d 0 R" % f for f in top) + b"]"
                    b" /NeedAppearances true /DA (/Helv 10 Tf 0 g) /DR << /Font << /Helv %d 0 R >> >> >>" % font])
    root = pdf.add([b"<< /Type /Catalog /Pages %d 0 R /AcroForm %d 0 R >>" % (pages, acro)])
    pdf.write(out, root, encrypt_obj)


def text(out, body):
    pdf = Pdf()
    c = bytearray()
    y = 800
    for line in body.splitlines():
        c += b"BT /Helv 10 Tf 50 %d Td %s Tj ET\n" % (y, pdftext(line))
        y -= 14
        if y < 40:
            break
    _, _, pages = page_objects(pdf, bytes(c))
    root = pdf.add([b"<< /Type /Catalog /Pages %d 0 R >>" % pages])
    pdf.write(out, root)


def main(argv):
    if len(argv) >= 3 and argv[1] == "blank":
        form(argv[2])
    elif len(argv) >= 3 and argv[1] == "filled":
        values, tree, utf16, password = {}, False, False, None
        args = iter(argv[3:])
        for a in args:
            if a == "--tree":
                tree = True
            elif a == "--utf16":
                utf16 = True
            elif a == "--password":
                password = next(args)
            elif "=" in a:
                k, v = a.split("=", 1)
                values[k] = v
            else:
                sys.exit("formpdf.py: unknown argument " + a)
        form(argv[2], values, tree, utf16, password)
    elif len(argv) >= 3 and argv[1] == "text":
        text(argv[2], sys.stdin.read())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
