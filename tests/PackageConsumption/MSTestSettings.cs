// The conformance suites measure process-wide allocation in one test; run methods one at a time.
[assembly: Microsoft.VisualStudio.TestTools.UnitTesting.DoNotParallelize]
