import { Jimp } from 'jimp';
import { nimbus } from '@nimbus/sdk';

interface S3Event {
  Records: { s3: { bucket: { name: string }; object: { key: string; size: number } } }[];
}

/** images-in/uploads/x.png → images-thumbs/x.png (128 px wide) and a compressed JPEG copy. */
export const handler = async (event: S3Event, context: unknown) => {
  const client = nimbus(context);
  const out = [];
  for (const r of event.Records) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    const { body } = await client.objects.get(r.s3.bucket.name, key);
    const image = await Jimp.read(body);
    const name = key.replace(/^uploads\//, '').replace(/\.[^.]+$/, '');
    const thumb = image.clone().resize({ w: 128 });
    const thumbPng = await thumb.getBuffer('image/png');
    const compressed = await image.getBuffer('image/jpeg', { quality: 60 });
    await client.objects.put('images-thumbs', `${name}.png`, thumbPng, { contentType: 'image/png' });
    await client.objects.put('images-thumbs', `${name}.jpg`, compressed, { contentType: 'image/jpeg' });
    await client.publish('images', {
      type: 'image.thumbnailed',
      subject: key,
      data: {
        source: `${r.s3.bucket.name}/${key}`,
        name,
        width: image.width,
        height: image.height,
        originalBytes: body.length,
        compressedBytes: compressed.length,
        thumb: { bucket: 'images-thumbs', key: `${name}.png`, width: thumb.width, height: thumb.height },
      },
    });
    out.push(name);
  }
  return { thumbnailed: out };
};
