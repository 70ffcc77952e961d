//! The columns a BOM reader understands, and the header spellings that name them.
//!
//! Officers' spreadsheets come from many exporters, so one field goes by many names ("Mfr",
//! "Make", "Vendor"...). The table here is the whole vocabulary: a header that is not in it is
//! reported as an unknown column instead of being matched by similarity, because a wrong guess
//! (say, reading a reseller column as the manufacturer) would silently change a compliance
//! verdict.

use std::fmt;

/// A BOM field that the reader knows how to fill from a column (or a TOML key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// The company that makes the product (Manufacturer, Mfr, Mfg, Make, Vendor, Maker).
    Manufacturer,
    /// The brand the product is sold under, which may differ from the maker (OEM relabels).
    Brand,
    /// The model designation (Model, Model No., Model Number).
    Model,
    /// The part number (Part Number, Part No, MPN, SKU, OEM Number).
    PartNumber,
    /// Free-text description of the item.
    Description,
    /// Key components such as the SoC or chipset, which matter for Section 889 because
    /// covered video components can sit inside otherwise compliant products.
    Components,
    /// Country of origin, for TAA.
    CountryOfOrigin,
    /// Quantity ordered; must be a non-negative number.
    Qty,
    /// Unit price in US dollars.
    UnitPrice,
    /// The supplier offering the item (FAR 52.204-25(d) reporting).
    Supplier,
    /// The supplier's Unique Entity ID from SAM.gov (FAR 52.204-25(d) reporting).
    SupplierUei,
    /// The supplier's CAGE code (FAR 52.204-25(d) reporting).
    Cage,
}

impl Field {
    /// Every field, in declaration order (which is also the canonical order of TOML headers).
    pub const ALL: [Field; 12] = [
        Field::Manufacturer,
        Field::Brand,
        Field::Model,
        Field::PartNumber,
        Field::Description,
        Field::Components,
        Field::CountryOfOrigin,
        Field::Qty,
        Field::UnitPrice,
        Field::Supplier,
        Field::SupplierUei,
        Field::Cage,
    ];

    /// The canonical snake_case name, which is also the TOML key.
    pub fn name(self) -> &'static str {
        match self {
            Field::Manufacturer => "manufacturer",
            Field::Brand => "brand",
            Field::Model => "model",
            Field::PartNumber => "part_number",
            Field::Description => "description",
            Field::Components => "components",
            Field::CountryOfOrigin => "country_of_origin",
            Field::Qty => "qty",
            Field::UnitPrice => "unit_price",
            Field::Supplier => "supplier",
            Field::SupplierUei => "supplier_uei",
            Field::Cage => "cage",
        }
    }

    /// Header spellings accepted for this field, normalised to lowercase letters and digits.
    ///
    /// Besides the names from the issue, the list takes the distributor spellings of the
    /// manufacturer part number ("Mfr Part Number", "Manufacturer Part No") because they are
    /// unambiguous and appear on most distributor quotes.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Manufacturer => &[
                "manufacturer",
                "mfr",
                "mfg",
                "mfgr",
                "manuf",
                "manufacturername",
                "mfrname",
                "mfgname",
                "make",
                "vendor",
                "vendorname",
                "maker",
                "makername",
                "oem",
                "oemname",
            ],
            Field::Brand => &["brand", "brandname", "tradename"],
            Field::Model => &[
                "model",
                "modelno",
                "modelnumber",
                "modelnum",
                "modelname",
                "mfgmodel",
                "mfrmodel",
                "manufacturermodel",
            ],
            Field::PartNumber => &[
                "partnumber",
                "partno",
                "partnum",
                "part",
                "pn",
                "mpn",
                "sku",
                "oemnumber",
                "oempartnumber",
                "oempartno",
                "oempn",
                "mfrpartnumber",
                "mfrpartno",
                "mfrpart",
                "mfrpn",
                "mfrpartnum",
                "mfgpartnumber",
                "mfgpartno",
                "mfgpart",
                "mfgpn",
                "mfgpartnum",
                "manufacturerpartnumber",
                "manufacturerpartno",
                "manufacturerpart",
                "manufacturerpn",
                "manufacturerpartnum",
                "catalogno",
                "catalognumber",
                "catalog",
                "catno",
                "itemno",
                "itemnumber",
                "itemnum",
                "productcode",
                "productno",
                "productnumber",
                "ordercode",
                "orderingcode",
                "orderno",
                "articleno",
                "articlenumber",
            ],
            Field::Description => &[
                "description",
                "desc",
                "descr",
                "itemdescription",
                "itemdesc",
                "productdescription",
                "partdescription",
                "productname",
                "itemname",
                "details",
            ],
            Field::Components => &[
                "components",
                "component",
                "keycomponents",
                "soc",
                "chipset",
                "chipsets",
                "processor",
                "modules",
                "radiomodule",
            ],
            Field::CountryOfOrigin => &[
                "countryoforigin",
                "coo",
                "origin",
                "madein",
                "country",
                "countryofmanufacture",
                "countryofmfg",
                "countryofmanufacturing",
                "manufacturingcountry",
                "mfgcountry",
                "origincountry",
                "countryorigin",
                "originofgoods",
                "placeoforigin",
                "coocountry",
                "countryoforigincoo",
            ],
            Field::Qty => &[
                "qty",
                "quantity",
                "qnty",
                "qtyordered",
                "orderqty",
                "orderquantity",
                "quantityordered",
            ],
            Field::UnitPrice => &[
                "unitprice",
                "price",
                "unitcost",
                "priceea",
                "priceeach",
                "unitpriceusd",
                "unitcostusd",
                "priceusd",
                "yourprice",
                "sellprice",
                "netprice",
            ],
            Field::Supplier => &["supplier", "suppliername", "reseller", "distributor"],
            Field::SupplierUei => &["supplieruei", "uei"],
            Field::Cage => &["cage", "cagecode", "suppliercage", "suppliercagecode"],
        }
    }

    /// Whether this field identifies the product (maker, brand, model or part number).
    ///
    /// A line needs at least one of these to be checked against the covered-entity lists.
    pub fn identifies_product(self) -> bool {
        matches!(
            self,
            Field::Manufacturer | Field::Brand | Field::Model | Field::PartNumber
        )
    }

    /// Looks a header cell up in the synonym table, ignoring case, spaces and punctuation.
    ///
    /// A header with a parenthetical ("Country of Origin (COO)", "Unit Price (USD)") is also
    /// tried without it, and then as the parenthetical alone.
    pub fn from_header(header: &str) -> Option<Field> {
        let lookup = |text: &str| {
            let key = normalise_header(text);
            if key.is_empty() {
                return None;
            }
            Field::ALL
                .into_iter()
                .find(|field| field.synonyms().contains(&key.as_str()))
        };
        if let Some(field) = lookup(header) {
            return Some(field);
        }
        let (open, close) = (header.find('(')?, header.rfind(')')?);
        if close <= open {
            return None;
        }
        let outside = format!("{}{}", &header[..open], &header[close + 1..]);
        lookup(&outside).or_else(|| lookup(&header[open + 1..close]))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reduces a header to lowercase letters and digits so that "Model No.", "model_no" and
/// "MODEL NO" compare equal. Line breaks inside header cells ("Country of\nOrigin") vanish too.
/// A `#` reads as "no" ("Mfg Part #" is "mfgpartno", "Item #" is "itemno"), and full-width
/// forms fold to their ASCII letters.
pub fn normalise_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header.chars() {
        let c = fold_width(c);
        if c == '#' {
            out.push_str("no");
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Full-width ASCII forms (U+FF01..U+FF5E) as their ASCII letters.
fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The spreadsheet letter of a 0-based column index: 0 → "A", 25 → "Z", 26 → "AA".
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        // rem < 26, so the cast cannot truncate.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_spreadsheet_numbering() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(51), "AZ");
        assert_eq!(column_letter(52), "BA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn synonyms_ignore_case_space_and_punctuation() {
        let cases = [
            ("Manufacturer", Field::Manufacturer),
            ("MFR", Field::Manufacturer),
            ("Mfg.", Field::Manufacturer),
            ("Make", Field::Manufacturer),
            ("Vendor", Field::Manufacturer),
            ("maker", Field::Manufacturer),
            ("Brand", Field::Brand),
            ("Model No.", Field::Model),
            ("model_number", Field::Model),
            ("Part #", Field::PartNumber),
            ("part no", Field::PartNumber),
            ("MPN", Field::PartNumber),
            ("SKU", Field::PartNumber),
            ("OEM Number", Field::PartNumber),
            ("Mfr. Part Number", Field::PartNumber),
            ("Desc", Field::Description),
            ("Item Description", Field::Description),
            ("SoC", Field::Components),
            ("Chipset", Field::Components),
            ("Country of\nOrigin", Field::CountryOfOrigin),
            ("COO", Field::CountryOfOrigin),
            ("Made in", Field::CountryOfOrigin),
            ("Qty.", Field::Qty),
            ("QUANTITY", Field::Qty),
            ("Unit Price", Field::UnitPrice),
            ("unit_price", Field::UnitPrice),
            ("Price", Field::UnitPrice),
            ("Supplier UEI", Field::SupplierUei),
            ("CAGE Code", Field::Cage),
            // The headers officers' quotes use that were once unknown (issue 11).
            ("Mfg Part #", Field::PartNumber),
            ("Mfr P/N", Field::PartNumber),
            ("Manufacturer P/N", Field::PartNumber),
            ("P/N", Field::PartNumber),
            ("MFG PN", Field::PartNumber),
            ("Catalog #", Field::PartNumber),
            ("Item #", Field::PartNumber),
            ("Country", Field::CountryOfOrigin),
            ("Country of Manufacture", Field::CountryOfOrigin),
            ("Origin Country", Field::CountryOfOrigin),
            ("Country of Origin (COO)", Field::CountryOfOrigin),
            ("COUNTRY OF ORIGIN", Field::CountryOfOrigin),
            ("Mfr", Field::Manufacturer),
            ("Item Description", Field::Description),
            ("Unit Price (USD)", Field::UnitPrice),
            ("ＭＦＲ", Field::Manufacturer),
            ("mfg_part_no", Field::PartNumber),
            ("Mfr. Part No.", Field::PartNumber),
        ];
        for (header, field) in cases {
            assert_eq!(Field::from_header(header), Some(field), "{header:?}");
        }
        for unknown in [
            "",
            "  ",
            "Notes",
            "Extended Price",
            "Total",
            "Line #",
            "Item",
            "UOM",
        ] {
            assert_eq!(Field::from_header(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn all_lists_fields_in_declaration_order() {
        // The table reader indexes arrays by `field as usize`.
        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(field as usize, i, "{field}");
        }
    }

    #[test]
    fn no_synonym_belongs_to_two_fields() {
        let mut seen = std::collections::HashMap::new();
        for field in Field::ALL {
            for synonym in field.synonyms() {
                assert_eq!(
                    normalise_header(synonym),
                    *synonym,
                    "synonyms are stored normalised"
                );
                if let Some(other) = seen.insert(*synonym, field) {
                    panic!("{synonym} names both {other} and {field}");
                }
            }
            assert!(
                field
                    .synonyms()
                    .contains(&normalise_header(field.name()).as_str()),
                "the canonical name of {field} must be accepted as a header"
            );
        }
    }
}
