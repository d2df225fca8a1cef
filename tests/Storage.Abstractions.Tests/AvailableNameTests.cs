using System.Text;

namespace Wharf.Storage.Tests;

[TestClass]
public sealed class AvailableNameTests
{
    private const string StorageName = "media";
    private static readonly AvailableName.NameLimits NoLimits = new(null, 1024, 1024);

    [TestMethod]
    [DataRow("my.report.v2.pdf", "my.report.v2", ".pdf")]
    [DataRow("archive.tar.gz", "archive", ".tar.gz")]
    [DataRow("x.TAR.GZ", "x", ".TAR.GZ")]
    [DataRow("data.csv.gz", "data", ".csv.gz")]
    [DataRow("logs.json.zst", "logs", ".json.zst")]
    [DataRow("backup.2024.gz", "backup.2024", ".gz")]
    [DataRow("photo.jpeg", "photo", ".jpeg")]
    [DataRow(".env", ".env", "")]
    [DataRow("noext", "noext", "")]
    [DataRow("trailing.", "trailing.", "")]
    public void SplitExtension_splits_off_the_last_or_a_known_compound_extension(string fileName, string stem, string extension)
    {
        Assert.AreEqual((stem, extension), AvailableName.SplitExtension(fileName));
    }

    [TestMethod]
    public void CreateSuffix_makes_seven_alphanumerics()
    {
        string suffix = AvailableName.CreateSuffix();

        Assert.AreEqual(AvailableName.SuffixLength, suffix.Length);
        Assert.MatchesRegex("^[A-Za-z0-9]{7}$", suffix);
    }

    [TestMethod]
    public void CreateCandidate_puts_an_underscore_and_seven_alphanumerics_before_the_extension()
    {
        string candidate = AvailableName.CreateCandidate(StorageName, "my.report.v2.pdf", addSuffix: true, NoLimits);

        Assert.MatchesRegex(@"^my\.report\.v2_[A-Za-z0-9]{7}\.pdf$", candidate);
    }

    [TestMethod]
    public void CreateCandidate_keeps_the_folder_and_compound_extension()
    {
        string candidate = AvailableName.CreateCandidate(StorageName, "backups/2024/archive.tar.gz", addSuffix: true, NoLimits);

        Assert.MatchesRegex(@"^backups/2024/archive_[A-Za-z0-9]{7}\.tar\.gz$", candidate);
    }

    [TestMethod]
    public void CreateCandidate_handles_dotfiles_and_names_without_extension()
    {
        Assert.MatchesRegex(@"^conf/\.env_[A-Za-z0-9]{7}$", AvailableName.CreateCandidate(StorageName, "conf/.env", addSuffix: true, NoLimits));
        Assert.MatchesRegex(@"^README_[A-Za-z0-9]{7}$", AvailableName.CreateCandidate(StorageName, "README", addSuffix: true, NoLimits));
    }

    [TestMethod]
    public void CreateCandidate_is_random()
    {
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 20; i++)
        {
            candidates.Add(AvailableName.CreateCandidate(StorageName, "photo.jpg", addSuffix: true, NoLimits));
        }

        // 62^7 possibilities: twenty draws that are not all distinct mean the suffix is not random.
        Assert.HasCount(20, candidates);
    }

    [TestMethod]
    public void CreateCandidate_without_suffix_returns_the_name_when_it_fits()
    {
        Assert.AreEqual("docs/report.pdf", AvailableName.CreateCandidate(StorageName, "docs/report.pdf", addSuffix: false, NoLimits));
    }

    [TestMethod]
    public void CreateCandidate_shortens_the_stem_to_a_character_limit_keeping_suffix_and_extension()
    {
        const string name = "uploads/a-rather-long-file-name-for-a-column.pdf";
        var limits = new AvailableName.NameLimits(30, 1024, 1024);

        string candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: true, limits);

        Assert.IsLessThanOrEqualTo(30, candidate.Length);
        Assert.AreEqual(30, candidate.Length, "the stem should be cut no more than needed");
        // 30 = "uploads/" (8) + stem + "_XXXXXXX" (8) + ".pdf" (4): ten characters of the stem are left.
        Assert.MatchesRegex(@"^uploads/a-rather-l_[A-Za-z0-9]{7}\.pdf$", candidate);
    }

    [TestMethod]
    public void CreateCandidate_without_suffix_only_shortens()
    {
        var limits = new AvailableName.NameLimits(20, 1024, 1024);

        string candidate = AvailableName.CreateCandidate(StorageName, "docs/abcdefghijklmnopqrstuvwxyz.txt", addSuffix: false, limits);

        Assert.AreEqual("docs/abcdefghijk.txt", candidate);
    }

    [TestMethod]
    public void CreateCandidate_shortens_a_multibyte_stem_to_a_segment_byte_limit()
    {
        string name = "folder/" + new string('é', 100) + ".txt"; // file name 204 bytes
        var limits = new AvailableName.NameLimits(null, 1024, 50);

        string candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: true, limits);
        (string folder, string fileName) = ObjectName.Split(candidate);

        Assert.AreEqual("folder/", folder);
        Assert.IsLessThanOrEqualTo(50, Encoding.UTF8.GetByteCount(fileName));
        Assert.MatchesRegex(@"^é+_[A-Za-z0-9]{7}\.txt$", fileName);
        Assert.AreEqual(50 - 8 - 4, Encoding.UTF8.GetByteCount(fileName[..fileName.IndexOf('_', StringComparison.Ordinal)]));
        Assert.IsTrue(ObjectName.IsValid(candidate, 1024, 50));
    }

    [TestMethod]
    public void CreateCandidate_shortens_to_a_whole_name_byte_limit_counting_the_folder()
    {
        string name = "日本/" + new string('日', 40) + ".txt";
        var limits = new AvailableName.NameLimits(null, 60, 1024);

        string candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: true, limits);

        Assert.StartsWith("日本/日", candidate);
        Assert.IsLessThanOrEqualTo(60, Encoding.UTF8.GetByteCount(candidate));
        Assert.IsTrue(ObjectName.IsValid(candidate, 60, 1024));
    }

    [TestMethod]
    [DataRow(30)]
    [DataRow(31)]
    [DataRow(32)]
    [DataRow(33)]
    [DataRow(25)]
    public void CreateCandidate_never_splits_a_surrogate_pair(int maxSegmentBytes)
    {
        string name = string.Concat(Enumerable.Repeat("😀", 20)) + ".png"; // stem 80 bytes
        var limits = new AvailableName.NameLimits(null, 1024, maxSegmentBytes);

        string candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: true, limits);

        Assert.IsTrue(ObjectName.IsValid(candidate, 1024, maxSegmentBytes), ObjectName.GetProblem(candidate, 1024, maxSegmentBytes));
        Assert.MatchesRegex(@"^(😀)+_[A-Za-z0-9]{7}\.png$", candidate);
        Assert.IsLessThanOrEqualTo(maxSegmentBytes, Encoding.UTF8.GetByteCount(candidate));
    }

    [TestMethod]
    [DataRow(20)]
    [DataRow(21)]
    [DataRow(22)]
    public void CreateCandidate_never_splits_a_surrogate_pair_under_a_character_limit(int maxChars)
    {
        string name = string.Concat(Enumerable.Repeat("😀", 20)) + ".png";
        var limits = new AvailableName.NameLimits(maxChars, 1024, 1024);

        string candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: true, limits);

        Assert.IsTrue(ObjectName.IsValid(candidate), ObjectName.GetProblem(candidate));
        Assert.IsLessThanOrEqualTo(maxChars, candidate.Length);
        Assert.MatchesRegex(@"^(😀)+_[A-Za-z0-9]{7}\.png$", candidate);
    }

    [TestMethod]
    public void CreateCandidate_fails_when_nothing_of_the_stem_is_left()
    {
        // "folder/" (7) + "_XXXXXXX" (8) + ".pdf" (4) = 19 characters even with an empty stem.
        var limits = new AvailableName.NameLimits(19, 1024, 1024);

        ObjectNameUnavailableException exception = Assert.ThrowsExactly<ObjectNameUnavailableException>(
            () => AvailableName.CreateCandidate(StorageName, "folder/report.pdf", addSuffix: true, limits));

        Assert.AreEqual(StorageName, exception.StorageName);
        Assert.AreEqual("folder/report.pdf", exception.ObjectName);
        Assert.Contains("19 characters", exception.Message);

        // One more character leaves room for one character of the stem.
        string candidate = AvailableName.CreateCandidate(StorageName, "folder/report.pdf", addSuffix: true, limits with { MaxChars = 20 });
        Assert.MatchesRegex(@"^folder/r_[A-Za-z0-9]{7}\.pdf$", candidate);
    }

    [TestMethod]
    [DataRow("conf/.bashrc", 6)]
    [DataRow(".bashrc", 1)]
    [DataRow("x/.env", 3)]
    public void CreateCandidate_never_returns_an_invalid_name_when_shortening_a_dotfile(string name, int maxChars)
    {
        // A dotfile has no extension (".bashrc" is all stem); shortening it to one character leaves ".", which is
        // not a usable name: the stem is used up, so the candidate must be refused (ObjectNameUnavailableException).
        var limits = new AvailableName.NameLimits(maxChars, 1024, 1024);

        try
        {
            string candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: false, limits);
            Assert.IsTrue(ObjectName.IsValid(candidate), $"CreateCandidate returned the invalid name '{candidate}': {ObjectName.GetProblem(candidate)}");
        }
        catch (ObjectNameUnavailableException exception)
        {
            Assert.AreEqual(name, exception.ObjectName);
        }
    }

    [TestMethod]
    public void CreateCandidate_shortens_by_whole_text_elements()
    {
        // The stem is cut "one text element at a time": a base letter keeps its combining accent (NFD, as macOS
        // clients send names) and a flag's two regional indicators stay together.
        string accented = string.Concat(Enumerable.Repeat("e\u0301", 10)) + ".txt"; // 20 chars of stem
        string flags = string.Concat(Enumerable.Repeat("🇫🇷", 5)) + ".txt";         // 20 chars of stem

        foreach (string name in new[] { accented, flags })
        {
            for (int maxChars = 12 + 2; maxChars <= 12 + 19; maxChars++)
            {
                string candidate;
                try
                {
                    candidate = AvailableName.CreateCandidate(StorageName, name, addSuffix: true, new AvailableName.NameLimits(maxChars, 1024, 1024));
                }
                catch (ObjectNameUnavailableException)
                {
                    // No whole text element fits beside the suffix and extension (a flag is 4 UTF-16 characters):
                    // like Django, an empty stem is refused rather than cutting the element apart.
                    Assert.IsLessThan(4 + 12, maxChars, $"maxChars {maxChars} leaves room for a whole element.");
                    continue;
                }

                string stem = candidate[..candidate.LastIndexOf('_')];
                Assert.IsGreaterThan(0, stem.Length, "The stem must not become empty.");
                int[] boundaries = System.Globalization.StringInfo.ParseCombiningCharacters(name);
                Assert.IsTrue(
                    boundaries.Contains(stem.Length),
                    $"maxChars {maxChars}: the stem was cut inside a text element after {stem.Length} characters ({ObjectName.Quote(stem)}).");
            }
        }
    }

    [TestMethod]
    public void NameLimits_Fits_checks_characters_name_bytes_and_file_name_bytes()
    {
        Assert.IsTrue(new AvailableName.NameLimits(10, 1024, 1024).Fits("abcdefghij", 0));
        Assert.IsFalse(new AvailableName.NameLimits(9, 1024, 1024).Fits("abcdefghij", 0));
        Assert.IsFalse(new AvailableName.NameLimits(null, 9, 1024).Fits("abcdefghij", 0));
        Assert.IsTrue(new AvailableName.NameLimits(null, 1024, 3).Fits("abcdefg/hij", 8));
        Assert.IsFalse(new AvailableName.NameLimits(null, 1024, 2).Fits("abcdefg/hij", 8));
    }
}
