from fontTools.ttLib import TTCollection
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import newTable
import sys
c=TTCollection('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')
f=c.fonts[2]
chars=set(range(0x20,0x7f))|set(range(0xa0,0x180))
for hi in range(0xa1,0xf8):
    for lo in range(0xa1,0xff):
        try: chars.add(ord(bytes([hi,lo]).decode('gb2312')))
        except Exception: pass
for a,b in [(0x2000,0x206f),(0x2100,0x214f),(0x2190,0x21ff),(0x2460,0x24ff),(0x2500,0x25ff),(0x2600,0x26ff),(0x3000,0x303f),(0xff00,0xffef),(0x3200,0x32ff),(0xfe30,0xfe4f),(0x4e00,0x9fff)]:
    chars|=set(range(a,b+1))
opts=subset.Options(); opts.layout_features=[]; opts.name_IDs=['*']; opts.notdef_outline=True; opts.hinting=False; opts.desubroutinize=True
opts.drop_tables+=['GSUB','GPOS','GDEF','BASE','VORG','vhea','vmtx','DSIG','meta']
s=subset.Subsetter(opts); s.populate(unicodes=chars); s.subset(f)
# CFF -> glyf (quadratic), so PDF can embed it as CIDFontType2 with a gid-preserving subset
order=f.getGlyphOrder(); gs=f.getGlyphSet()
glyf=newTable('glyf'); glyf.glyphOrder=order; glyf.glyphs={}
for g in order:
    pen=TTGlyphPen(None); gs[g].draw(Cu2QuPen(pen,1.0,reverse_direction=True)); glyf.glyphs[g]=pen.glyph()
f['glyf']=glyf; f['loca']=newTable('loca'); del f['CFF ']
f['maxp'].tableVersion=0x00010000
for k in ['maxZones','maxTwilightPoints','maxStorage','maxFunctionDefs','maxInstructionDefs','maxStackElements','maxSizeOfInstructions','maxComponentElements','maxPoints','maxContours','maxCompositePoints','maxCompositeContours','maxComponentDepth']:
    setattr(f['maxp'],k,0)
f['maxp'].maxZones=1
f['head'].indexToLocFormat=1; f['head'].glyphDataFormat=0
f['post'].formatType=3.0; f.sfntVersion='\x00\x01\x00\x00'
f.save(sys.argv[1])
print(len(order),'glyphs', len(chars),'chars')
