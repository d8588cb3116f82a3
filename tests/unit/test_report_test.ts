/**
 * The CI summary names failed tests with their messages, read from the runners' JUnit reports
 * (fixtures are what Deno 2 and Bun 1 wrote for a two-test file with one failing assertion).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bunCases, denoCases } from "../../scripts/lib/test_report.ts";

const DENO_JUNIT = `<testsuites name="deno test" tests="3" failures="2">
    <testsuite name="./a_test.ts" tests="1" failures="1">
        <testcase name="outer" classname="./a_test.ts" time="0.004" line="3" col="1">
            <failure message="1 test step failed">1 test step failed.</failure>
        </testcase>
    </testsuite>
    <testsuite name="ext:deno_node/testing.ts" tests="2" failures="1">
        <testcase name="outer &gt; passes" classname="ext:deno_node/testing.ts" time="0.000">
        </testcase>
        <testcase name="outer &gt; fails &amp; &lt;breaks&gt;" classname="ext:deno_node/testing.ts">
            <failure message="Uncaught AssertionError: one is not &quot;two&quot;

1 !== 2
">AssertionError: one is not &quot;two&quot;
    at NodeTestContext.&lt;anonymous&gt; (file:///tmp/jr/a_test.ts:5:41)</failure>
        </testcase>
    </testsuite>
</testsuites>`;

const BUN_JUNIT = `<testsuites name="bun test" tests="2" failures="1">
  <testsuite name="a_test.ts" file="a_test.ts" tests="2" failures="1">
    <testsuite name="outer" file="a_test.ts" line="3" tests="2" failures="1">
      <testcase name="passes" classname="outer" file="a_test.ts" line="4" assertions="0" />
      <testcase name="fails &amp; &lt;breaks&gt;" classname="outer" file="a_test.ts" line="5">
        <failure type="AssertionError" message="one is not &quot;two&quot;&#10;&#10;1 !== 2&#10;">AssertionError: one is not &quot;two&quot;&#10;&#10;1 !== 2&#10;&#10;      at a_test.ts:5:41&#10;</failure>
      </testcase>
    </testsuite>
  </testsuite>
</testsuites>`;

describe("test report: failed tests carry their message", () => {
  it("Deno: the leaf case is failed with its message on one line; the describe is dropped", () => {
    const cases = denoCases(DENO_JUNIT);
    assert.deepEqual(cases.map((c) => [c.name, c.status, c.message]), [
      ["outer > passes", "passed", undefined],
      [
        "outer > fails & <breaks>",
        "failed",
        'Uncaught AssertionError: one is not "two" 1 !== 2',
      ],
    ]);
  });

  it("Bun: nested suites make the name; the message's encoded newlines become spaces", () => {
    const cases = bunCases(BUN_JUNIT, "tests/unit");
    assert.deepEqual(cases.map((c) => [c.name, c.status, c.message, c.file, c.line]), [
      ["outer > passes", "passed", undefined, "tests/unit/a_test.ts", 4],
      [
        "outer > fails & <breaks>",
        "failed",
        'one is not "two" 1 !== 2',
        "tests/unit/a_test.ts",
        5,
      ],
    ]);
  });
});
