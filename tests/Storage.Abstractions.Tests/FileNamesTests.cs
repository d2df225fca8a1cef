using System.Text;

namespace Wharf.Storage.Tests;

[TestClass]
public sealed class FileNamesTests
{
    [TestMethod]
    [DataRow("john's portrait in 2004.jpg", "johns_portrait_in_2004.jpg")]
    [DataRow("  padded name.txt  ", "padded_name.txt")]
    [DataRow("a/b\\c.txt", "abc.txt")]
    [DataRow("price: $100 (final)!.pdf", "price_100_final.pdf")]
    [DataRow("keep-dashes_and.dots.tar.gz", "keep-dashes_and.dots.tar.gz")]
    [DataRow("résumé.pdf", "résumé.pdf")]
    [DataRow("Ünïcödé Fïlé.txt", "Ünïcödé_Fïlé.txt")]
    [DataRow("文件 名.txt", "文件_名.txt")]
    [DataRow("写真２０２４.png", "写真２０２４.png")]
    [DataRow("Привет мир.doc", "Привет_мир.doc")]
    [DataRow(".env", ".env")]
    public void GetValidName_keeps_letters_digits_marks_dash_underscore_and_dot(string input, string expected)
    {
        Assert.AreEqual(expected, FileNames.GetValidName(input));
    }

    [TestMethod]
    public void GetValidName_keeps_every_character_of_devanagari_with_combining_marks()
    {
        const string name = "नमस्ते.txt"; // न म स ् त े: the virama and the vowel sign are combining marks

        Assert.AreEqual(name, FileNames.GetValidName(name));
    }

    [TestMethod]
    public void GetValidName_normalises_decomposed_input_to_nfc()
    {
        string decomposed = "re\u0301sume\u0301.pdf";
        Assert.IsFalse(decomposed.IsNormalized(NormalizationForm.FormC));

        string result = FileNames.GetValidName(decomposed);

        Assert.AreEqual("r\u00E9sum\u00E9.pdf", result);
        Assert.IsTrue(result.IsNormalized(NormalizationForm.FormC));
    }

    [TestMethod]
    public void GetValidName_removes_control_and_direction_characters()
    {
        Assert.AreEqual("invoicefdp.exe", FileNames.GetValidName("invoice\u202Efdp.exe"));
        Assert.AreEqual("ab.txt", FileNames.GetValidName("a\nb.txt"));
        Assert.AreEqual("ab.txt", FileNames.GetValidName("a\0b.txt"));
    }

    [TestMethod]
    public void GetValidName_results_are_valid_object_names()
    {
        string[] inputs = ["john's portrait in 2004.jpg", "x\u2066y.txt", "..a", "नमस्ते.txt", "😀 emoji.png", "a\u0000b\u007F.txt"];
        foreach (string input in inputs)
        {
            string result = FileNames.GetValidName(input);
            Assert.IsTrue(ObjectName.IsValid(result), $"{ObjectName.Quote(input)} → {ObjectName.Quote(result)}: {ObjectName.GetProblem(result)}");
        }
    }

    [TestMethod]
    public void GetValidName_removes_lone_surrogates()
    {
        // (Not DataRows: attribute strings are stored as UTF-8, which would turn a lone surrogate into U+FFFD.)
        // A lone surrogate is not a letter, digit or mark, so it is removed like any other such character; the
        // sanitiser must not fail on the very input it exists to clean.
        string[] inputs = ["a\uD800b.txt", "a\uDC00b.txt", "\uD83Da\uDE00b.txt"];
        foreach (string input in inputs)
        {
            Assert.IsTrue(input.Any(char.IsSurrogate), "the test input must hold a lone surrogate");
            string result = string.Empty;
            try
            {
                result = FileNames.GetValidName(input);
            }
            catch (ArgumentException exception)
            {
                Assert.Fail($"GetValidName('{ObjectName.Quote(input)}') threw {exception.GetType().Name}: {exception.Message}");
            }

            Assert.AreEqual("ab.txt", result, ObjectName.Quote(input));
        }
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("   ")]
    [DataRow(".")]
    [DataRow("..")]
    [DataRow("...")]
    [DataRow("$%&")]
    [DataRow("'\"!?*")]
    public void GetValidName_rejects_names_with_nothing_usable(string input)
    {
        InvalidObjectNameException exception = Assert.ThrowsExactly<InvalidObjectNameException>(() => FileNames.GetValidName(input, "uploads"));

        Assert.AreEqual("uploads", exception.StorageName);
        Assert.AreEqual(input, exception.ObjectName);
        Assert.Contains($"'{input}'", exception.Message);
    }

    [TestMethod]
    public void GetValidName_rejects_null()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => FileNames.GetValidName(null!));
    }

    [TestMethod]
    [DataRow("C:\\fakepath\\photo.jpg", "photo.jpg")]
    [DataRow("a/b/photo.jpg", "photo.jpg")]
    [DataRow("photo.jpg", "photo.jpg")]
    [DataRow("dir\\", "")]
    public void GetClientFileName_takes_the_last_segment_of_a_client_path(string clientPath, string expected)
    {
        Assert.AreEqual(expected, FileNames.GetClientFileName(clientPath));
    }
}
