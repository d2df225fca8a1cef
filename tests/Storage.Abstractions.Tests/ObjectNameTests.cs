namespace Wharf.Storage.Tests;

[TestClass]
public sealed class ObjectNameTests
{
    private const string StorageName = "media";

    [TestMethod]
    [DataRow("photo.jpg")]
    [DataRow("images/2024/03/photo.jpg")]
    [DataRow("résumé.pdf")]
    [DataRow("日本語/ファイル.txt")]
    [DataRow("नमस्ते/नमस्ते.txt")]
    [DataRow("emoji 😀 party.png")]
    [DataRow(".env")]
    [DataRow("config/.gitignore")]
    [DataRow("my file with spaces.txt")]
    [DataRow("a..b")]
    [DataRow("..hidden")]
    [DataRow("archive.tar.gz")]
    public void Validate_accepts_valid_names_and_returns_the_same_instance(string name)
    {
        string validated = ObjectName.Validate(StorageName, name);

        Assert.AreSame(name, validated);
        Assert.IsTrue(ObjectName.IsValid(name));
        Assert.IsNull(ObjectName.GetProblem(name));
    }

    [TestMethod]
    [DataRow("a\\b\\c.txt", "a/b/c.txt")]
    [DataRow("folder\\file.txt", "folder/file.txt")]
    [DataRow("mixed/slash\\and\\back.txt", "mixed/slash/and/back.txt")]
    public void Validate_normalises_backslashes_to_slashes(string name, string expected)
    {
        Assert.AreEqual(expected, ObjectName.Validate(StorageName, name));
        Assert.IsTrue(ObjectName.IsValid(name));
    }

    public static IEnumerable<object[]> InvalidNames =>
    [
        ["empty", "", "empty"],
        ["absolute", "/x", "absolute"],
        ["absolute backslash", "\\x", "absolute"],
        ["UNC", "\\\\server\\share", "UNC"],
        ["UNC forward", "//server/share", "UNC"],
        ["drive relative", "C:x", "drive letter"],
        ["drive lower case", "c:/x", "drive letter"],
        ["dot dot", "..", "'..'"],
        ["dot dot inside", "a/../b", "'..'"],
        ["dot dot backslash", "a\\..\\b", "'..'"],
        ["dot dot last", "a/..", "'..'"],
        ["dot inside", "a/./b", "'.' segment"],
        ["dot", ".", "'.'"],
        ["trailing separator", "a/", "ends with a separator"],
        ["trailing backslash", "a\\", "ends with a separator"],
        ["empty segment", "a//b", "empty segment"],
        ["NUL", "a\0b.txt", "NUL"],
        ["newline", "a\nb.txt", "U+000A"],
        ["tab", "a\tb.txt", "U+0009"],
        ["DEL", "a\u007Fb.txt", "U+007F"],
        ["NEL (C1 control)", "a\u0085b.txt", "U+0085"],
        ["C1 control U+0080", "\u0080.txt", "U+0080"],
        ["lone high surrogate", "a\uD83Db.txt", "unpaired"],
        ["lone high surrogate at end", "file\uD83D", "unpaired"],
        ["lone low surrogate", "a\uDE00b.txt", "unpaired"],
        ["swapped surrogates", "a\uDE00\uD83Db.txt", "unpaired"],
        ["RLO bidi override", "invoice\u202Efdp.exe", "U+202E"],
        ["LRI bidi isolate", "a\u2066b.txt", "U+2066"],
        ["RLM", "a\u200Fb.txt", "U+200F"],
        ["noncharacter U+FFFE", "a\uFFFEb.txt", "U+FFFE"],
        ["noncharacter U+FFFF", "a\uFFFF.txt", "U+FFFF"],
        ["three dots", "...", "only of dots"],
        ["three dots inside", "a/.../b", "only of dots"],
    ];

    public static string DisplayName(System.Reflection.MethodInfo method, object[] data) => $"{method.Name} ({data[0]})";

    [TestMethod]
    [DynamicData(nameof(InvalidNames), DynamicDataDisplayName = nameof(DisplayName))]
    public void Validate_rejects_invalid_names_with_a_message_that_quotes_the_input(string label, string name, string expectedCause)
    {
        InvalidObjectNameException exception = Assert.ThrowsExactly<InvalidObjectNameException>(() => ObjectName.Validate(StorageName, name), label);

        Assert.AreEqual(StorageName, exception.StorageName, label);
        Assert.AreEqual(name, exception.ObjectName, label);
        Assert.Contains(expectedCause, exception.Cause, label);
        Assert.Contains($"Storage '{StorageName}', object '{ObjectName.Quote(name)}'", exception.Message, label);
        Assert.Contains(exception.Cause, exception.Message, label);
        Assert.IsFalse(ObjectName.IsValid(name), label);
        Assert.AreEqual(exception.Cause, ObjectName.GetProblem(name), label);
    }

    [TestMethod]
    [DynamicData(nameof(InvalidNames), DynamicDataDisplayName = nameof(DisplayName))]
    public void Rejection_messages_carry_no_raw_control_or_invisible_characters(string label, string name, string expectedCause)
    {
        _ = expectedCause;
        InvalidObjectNameException exception = Assert.ThrowsExactly<InvalidObjectNameException>(() => ObjectName.Validate(StorageName, name), label);

        foreach (char c in exception.Message)
        {
            bool unsafeChar = char.IsControl(c) || char.IsSurrogate(c) || c is '\u202E' or '\u2066' or '\u200F' or '\uFFFE' or '\uFFFF';
            Assert.IsFalse(unsafeChar, $"{label}: the message has the raw character U+{(int)c:X4}: {exception.Message}");
        }
    }

    [TestMethod]
    public void Over_long_names_are_measured_in_utf8_bytes()
    {
        string name = new('é', 300); // 300 characters, 600 bytes

        Assert.IsTrue(ObjectName.IsValid(name, maxNameBytes: 600, maxSegmentBytes: 600));
        string? problem = ObjectName.GetProblem(name, maxNameBytes: 599, maxSegmentBytes: 1024);
        Assert.IsNotNull(problem);
        Assert.Contains("600 bytes", problem);
        Assert.Contains("599", problem);

        InvalidObjectNameException exception = Assert.ThrowsExactly<InvalidObjectNameException>(
            () => ObjectName.Validate(StorageName, name, maxNameBytes: 599, maxSegmentBytes: 1024));
        Assert.AreEqual(name, exception.ObjectName);
    }

    [TestMethod]
    public void Default_limits_are_1024_bytes()
    {
        Assert.IsTrue(ObjectName.IsValid(new string('a', 1024)));
        Assert.IsFalse(ObjectName.IsValid(new string('a', 1025)));
        Assert.IsTrue(ObjectName.IsValid(new string('é', 512)));
        Assert.IsFalse(ObjectName.IsValid(new string('é', 513)));
    }

    [TestMethod]
    public void Surrogate_pairs_count_four_bytes_and_three_byte_characters_three()
    {
        string emoji = string.Concat(Enumerable.Repeat("😀", 10)); // 40 bytes
        Assert.IsTrue(ObjectName.IsValid(emoji, maxNameBytes: 40, maxSegmentBytes: 40));
        Assert.IsFalse(ObjectName.IsValid(emoji, maxNameBytes: 39, maxSegmentBytes: 40));
        Assert.IsFalse(ObjectName.IsValid(emoji, maxNameBytes: 40, maxSegmentBytes: 39));

        string cjk = new('日', 10); // 30 bytes
        Assert.IsTrue(ObjectName.IsValid(cjk, maxNameBytes: 30, maxSegmentBytes: 30));
        Assert.IsFalse(ObjectName.IsValid(cjk, maxNameBytes: 29, maxSegmentBytes: 30));
    }

    [TestMethod]
    public void Total_length_counts_the_separators()
    {
        Assert.IsTrue(ObjectName.IsValid("ab/cd", maxNameBytes: 5, maxSegmentBytes: 2));
        Assert.IsFalse(ObjectName.IsValid("ab/cd", maxNameBytes: 4, maxSegmentBytes: 2));
    }

    [TestMethod]
    public void Over_long_segments_are_rejected_with_custom_limits()
    {
        Assert.IsTrue(ObjectName.IsValid("aaaa/bbbbbb", maxNameBytes: 100, maxSegmentBytes: 6));

        string? folderProblem = ObjectName.GetProblem("aaaaaaa/b", maxNameBytes: 100, maxSegmentBytes: 6);
        Assert.IsNotNull(folderProblem);
        Assert.Contains("7 bytes", folderProblem);

        string? fileProblem = ObjectName.GetProblem("aaaa/bbbbbbb", maxNameBytes: 100, maxSegmentBytes: 6);
        Assert.IsNotNull(fileProblem);
        Assert.Contains("7 bytes", fileProblem);
        Assert.Contains("per segment", fileProblem);

        // Multi-byte: 'é' × 4 is 8 bytes in one segment.
        Assert.IsFalse(ObjectName.IsValid("x/éééé", maxNameBytes: 100, maxSegmentBytes: 7));
        Assert.IsTrue(ObjectName.IsValid("x/éééé", maxNameBytes: 100, maxSegmentBytes: 8));

        InvalidObjectNameException exception = Assert.ThrowsExactly<InvalidObjectNameException>(
            () => ObjectName.Validate(StorageName, "aaaa/bbbbbbb", maxNameBytes: 100, maxSegmentBytes: 6));
        Assert.AreEqual("aaaa/bbbbbbb", exception.ObjectName);
        Assert.AreEqual(StorageName, exception.StorageName);
    }

    [TestMethod]
    public void Validate_rejects_null()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => ObjectName.Validate(StorageName, null!));
    }

    [TestMethod]
    public void Quote_escapes_control_and_invisible_characters()
    {
        Assert.AreEqual("a\\u000Ab", ObjectName.Quote("a\nb"));
        Assert.AreEqual("\\u0000", ObjectName.Quote("\0"));
        Assert.AreEqual("x\\u007Fy\\u0085z", ObjectName.Quote("x\u007Fy\u0085z"));
        Assert.AreEqual("invoice\\u202Efdp.exe", ObjectName.Quote("invoice\u202Efdp.exe"));
        Assert.AreEqual("a\\u2066b", ObjectName.Quote("a\u2066b"));
        Assert.AreEqual("a\\uD83Db", ObjectName.Quote("a\uD83Db"));
        Assert.AreEqual("a\\uDE00b", ObjectName.Quote("a\uDE00b"));
        Assert.AreEqual("a\\uFFFEb", ObjectName.Quote("a\uFFFEb"));
    }

    [TestMethod]
    public void Quote_returns_clean_names_unchanged()
    {
        const string name = "images/résumé 2024.pdf";
        Assert.AreSame(name, ObjectName.Quote(name));
    }

    [TestMethod]
    public void Quote_keeps_paired_surrogates_readable()
    {
        // An emoji is neither a control nor an invisible character; only lone surrogates need escaping.
        Assert.AreEqual("party 😀.png", ObjectName.Quote("party 😀.png"));
    }

    [TestMethod]
    public void Quote_cuts_very_long_names_and_notes_their_length()
    {
        string quoted = ObjectName.Quote(new string('a', 300));

        Assert.StartsWith(new string('a', 256), quoted);
        Assert.DoesNotContain(new string('a', 257), quoted);
        Assert.Contains("(300 characters)", quoted);
    }

    [TestMethod]
    public void Split_separates_folder_and_file_name()
    {
        Assert.AreEqual(("a/b/", "c.txt"), ObjectName.Split("a/b/c.txt"));
        Assert.AreEqual((string.Empty, "c.txt"), ObjectName.Split("c.txt"));
    }

    [TestMethod]
    public void GetByteCount_counts_utf8_bytes()
    {
        Assert.AreEqual(600, ObjectName.GetByteCount(new string('é', 300)));
        Assert.AreEqual(4, ObjectName.GetByteCount("😀"));
    }
}
