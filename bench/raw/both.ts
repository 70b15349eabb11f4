// Both raw programs in one process, as bin/platform.ts synthesizes both clouds in one process: the
// comparison then includes loading aws-cdk-lib and cdktf side by side.
import * as path from 'node:path';
import { parseBenchArgs } from '../args';
import { synthRawAws } from './aws';
import { synthRawAzure } from './azure';

const args = parseBenchArgs(process.argv.slice(2));
if (args.clouds.includes('aws')) synthRawAws(path.join(args.outdir, 'cdk.out'), args.validation);
if (args.clouds.includes('azure')) synthRawAzure(path.join(args.outdir, 'cdktf.out'));
