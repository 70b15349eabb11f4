import * as fs from 'node:fs';
import * as os from 'node:os';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

describe('temporary folders of the test run', () => {
  test("every test process writes its temporary folders into the run's own TMPDIR, removed when the run ends", () => {
    const runDir = process.env.PLATFORM_JEST_TMPDIR;
    expect(runDir).toMatch(/platform-jest-/);
    expect(os.tmpdir()).toBe(runDir);
    // An App without an output folder: aws-cdk-lib makes one in the temporary folder.
    const app = new App();
    new sns.Topic(new Stack(app, 'Test'), 'Topic');
    expect(app.synth().directory.startsWith(`${runDir}/`)).toBe(true);
    expect(fs.existsSync(runDir!)).toBe(true);
  });
});
