//! The fonts of every PDF Almanach writes: DejaVu Sans and DejaVu Sans Bold,
//! shipped in the binary (`fonts/`, with their licence) and embedded as
//! subsets of the glyphs a document uses, so "Łukasz Dvořák" or "Nguyễn Thị
//! Ánh" print as typed and copy back out of the file (docs/decisions/0018).
//!
//! Each font is a Type 0 font over a CIDFontType2 with Identity-H encoding.
//! Every distinct character a document sets gets its own CID (1, 2, …), which
//! a CIDToGIDMap sends to its glyph and the ToUnicode map back to the
//! character: text extraction is exact even where the font draws two
//! characters with one glyph.

use std::collections::HashMap;
use std::io::Write;
use std::sync::LazyLock;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use ttf_parser::{Face, GlyphId};
use unicode_normalization::UnicodeNormalization;

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

static FACES: LazyLock<[Face<'static>; 2]> = LazyLock::new(|| {
    [REGULAR_TTF, BOLD_TTF].map(|data| Face::parse(data, 0).expect("the shipped fonts parse"))
});

/// A text font of the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    const ALL: [Font; 2] = [Font::Regular, Font::Bold];

    /// Its name in a page's resources.
    pub fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    fn index(self) -> usize {
        match self {
            Font::Regular => 0,
            Font::Bold => 1,
        }
    }

    fn face(self) -> &'static Face<'static> {
        &FACES[self.index()]
    }

    fn data(self) -> &'static [u8] {
        match self {
            Font::Regular => REGULAR_TTF,
            Font::Bold => BOLD_TTF,
        }
    }

    fn postscript_name(self) -> &'static str {
        match self {
            Font::Regular => "DejaVuSans",
            Font::Bold => "DejaVuSans-Bold",
        }
    }
}

/// The characters of `s` as the PDF sets them: composed (NFC, so a name
/// typed with combining accents finds its accented letter), controls as spaces.
fn chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.nfc().map(|c| if c.is_control() { ' ' } else { c })
}

/// The glyph for `c`; a character the font lacks shows as "�".
fn glyph(face: &Face<'_>, c: char) -> GlyphId {
    face.glyph_index(c)
        .or_else(|| face.glyph_index('\u{fffd}'))
        .unwrap_or(GlyphId(0))
}

/// Advance of `g` in thousandths of the font size, as PDF widths count.
fn advance(face: &Face<'_>, g: GlyphId) -> f32 {
    f32::from(face.glyph_hor_advance(g).unwrap_or(0)) * 1000.0 / f32::from(face.units_per_em())
}

/// The width of `s` set in `font` at `size` points.
pub fn width(s: &str, font: Font, size: f32) -> f32 {
    let face = font.face();
    chars(s).map(|c| advance(face, glyph(face, c))).sum::<f32>() * size / 1000.0
}

/// Zlib-compressed, as PDF's FlateDecode reads it.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data)
        .and_then(|()| e.finish())
        .expect("writing to memory cannot fail")
}

/// The characters one font has set so far, each with its CID (its index + 1).
#[derive(Default)]
struct Used {
    cids: HashMap<char, u16>,
    chars: Vec<(char, GlyphId)>,
}

/// The characters a document sets, per font: text is encoded while pages
/// are laid out, the fonts written once all is known.
#[derive(Default)]
pub struct Fonts {
    used: [Used; 2],
}

impl Fonts {
    pub fn new() -> Fonts {
        Fonts::default()
    }

    /// `s` as a string for `show` in `font`: two bytes (a CID) a character.
    pub fn encode(&mut self, s: &str, font: Font) -> Vec<u8> {
        let face = font.face();
        let used = &mut self.used[font.index()];
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in chars(s) {
            let cid = match used.cids.get(&c) {
                Some(&cid) => cid,
                // Beyond 65 535 distinct characters: the missing glyph.
                None if used.chars.len() >= usize::from(u16::MAX) => 0,
                None => {
                    used.chars.push((c, glyph(face, c)));
                    let cid = used.chars.len() as u16;
                    used.cids.insert(c, cid);
                    cid
                }
            };
            out.extend(cid.to_be_bytes());
        }
        out
    }

    /// Sets `s` in `font` at `size` points, its baseline starting at (`x`, `y`).
    ///
    /// A run holding a no-break space ("12 %", "1 à 2", "1 611") carries
    /// its text as ActualText too: extractors treat a no-break space as any
    /// space, and poppler's pdftotext joins a line of one-letter words
    /// ("0 %" became "0%"); with it they read the run whole, as set.
    pub fn show(
        &mut self,
        content: &mut Content,
        s: &str,
        (font, size): (Font, f32),
        (x, y): (f32, f32),
    ) {
        let shown = self.encode(s, font);
        let whole = s.contains(['\u{a0}', '\u{202f}']);
        if whole {
            let text: String = chars(s).collect();
            content
                .begin_marked_content_with_properties(Name(b"Span"))
                .properties()
                .actual_text(TextStr(&text));
        }
        content
            .begin_text()
            .set_font(font.name(), size)
            .next_line(x, y)
            .show(Str(&shown))
            .end_text();
        if whole {
            content.end_marked_content();
        }
    }

    /// Writes the fonts text was set in, taking object ids from `next`;
    /// returns each font's resource name and the id of its Type 0 font.
    pub fn write(&self, pdf: &mut Pdf, next: &mut Ref) -> Vec<(Name<'static>, Ref)> {
        Font::ALL
            .into_iter()
            .filter(|f| !self.used[f.index()].chars.is_empty())
            .map(|f| (f.name(), write_font(pdf, next, f, &self.used[f.index()])))
            .collect()
    }
}

/// Six capitals naming a subset ("ABCDEF+DejaVuSans"), from its characters.
fn subset_tag(used: &Used) -> String {
    // FNV-1a: stable between builds, unlike the standard library's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (c, _) in &used.chars {
        for b in u32::from(*c).to_le_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect()
}

fn write_font(pdf: &mut Pdf, next: &mut Ref, font: Font, used: &Used) -> Ref {
    let face = font.face();
    let [type0, cid_font, descriptor, file, to_unicode, cid_to_gid] = [(); 6].map(|()| next.bump());

    // The subset keeps the glyphs in the order first used; should it ever
    // fail, the whole font goes in with its own glyph ids.
    let mut remapper = subsetter::GlyphRemapper::new();
    let new_ids: Vec<u16> = used
        .chars
        .iter()
        .map(|(_, g)| remapper.remap(g.0))
        .collect();
    let (program, gids) = match subsetter::subset(font.data(), 0, &remapper) {
        Ok(program) => (program, new_ids),
        Err(e) => {
            tracing::warn!(error = ?e, "font subsetting failed; the whole font is embedded");
            (
                font.data().to_vec(),
                used.chars.iter().map(|(_, g)| g.0).collect(),
            )
        }
    };

    let base = format!("{}+{}", subset_tag(used), font.postscript_name());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);

    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(system_info)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_stream(cid_to_gid);
    cid.widths()
        .consecutive(1, used.chars.iter().map(|(_, g)| advance(face, *g)));
    cid.finish();

    let scale = |v: i16| f32::from(v) * 1000.0 / f32::from(face.units_per_em());
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(Name(base.as_bytes()))
        // Symbolic: the glyphs are reached through CIDs, not a standard encoding.
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scale(face.ascender()))
        .descent(scale(face.descender()))
        .cap_height(scale(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(match font {
            Font::Regular => 80.0,
            Font::Bold => 140.0,
        })
        .font_file2(file);

    let packed = deflate(&program);
    pdf.stream(file, &packed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), program.len() as i32);

    // CID 0 is the missing glyph; CID n is the n-th character used.
    let map: Vec<u8> = std::iter::once(0u16)
        .chain(gids)
        .flat_map(u16::to_be_bytes)
        .collect();
    pdf.stream(cid_to_gid, &deflate(&map))
        .filter(Filter::FlateDecode);

    let mut cmap = UnicodeCmap::new(
        Name(b"Almanach-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (i, (c, _)) in used.chars.iter().enumerate() {
        cmap.pair(i as u16 + 1, *c);
    }
    pdf.stream(to_unicode, &deflate(&cmap.finish()))
        .filter(Filter::FlateDecode);
    type0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the issue asks for: Latin Extended-A/B, Vietnamese, and the
    /// marks French typography needs, in both weights.
    #[test]
    fn the_fonts_cover_latin_extended_and_vietnamese() {
        for f in Font::ALL {
            for c in "ŁřễơưĐŒœÆæø«»’–…€\u{a0}\u{202f}−ÁàÂçÉëÎïÔùÛüŸ".chars()
            {
                assert!(f.face().glyph_index(c).is_some(), "{f:?} lacks {c:?}");
            }
        }
    }

    #[test]
    fn widths_follow_the_font() {
        assert!(width("Bilan", Font::Bold, 10.0) > width("Bilan", Font::Regular, 10.0));
        assert_eq!(width("", Font::Regular, 10.0), 0.0);
        let one = width("1", Font::Regular, 10.0);
        assert!((width("111", Font::Regular, 10.0) - 3.0 * one).abs() < 1e-3);
        // Composed or not, the same text measures the same.
        assert_eq!(
            width("Nguye\u{302}\u{303}n", Font::Regular, 10.0),
            width("Nguyễn", Font::Regular, 10.0)
        );
    }

    #[test]
    fn each_character_gets_one_cid() {
        let mut fonts = Fonts::new();
        assert_eq!(fonts.encode("aba", Font::Regular), [0, 1, 0, 2, 0, 1]);
        assert_eq!(fonts.encode("b", Font::Bold), [0, 1], "fonts count apart");
        // A space and a no-break space keep their own CIDs, so the text
        // extracted says which was which.
        assert_eq!(fonts.encode(" \u{a0}", Font::Regular), [0, 3, 0, 4]);
        assert_eq!(
            fonts.encode("e\u{301}", Font::Regular),
            [0, 5],
            "composed: é"
        );
    }

    #[test]
    fn only_the_fonts_used_are_written_and_small() {
        let mut fonts = Fonts::new();
        fonts.encode("Łukasz Dvořák, Nguyễn Thị Ánh", Font::Regular);
        let mut pdf = Pdf::new();
        let mut next = Ref::new(1);
        let written = fonts.write(&mut pdf, &mut next);
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].0, Font::Regular.name());
        let bytes = pdf.finish();
        assert!(
            bytes.len() < 40_000,
            "a subset, not the font: {} bytes",
            bytes.len()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("+DejaVuSans") && text.contains("/Identity-H"));
    }
}
