// Every visible string of the page in English and Korean. The language follows the browser
// (Korean for `ko*`, else English) until the learner picks one with the toggle, which switches it
// live and is remembered; `?lang=en|ko` overrides both.
// Keras names (Conv2D, relu, model.summary()) and the engine's own messages stay as they are.

import { LAB_STRINGS } from './lab-strings.js';

const STRINGS = {
  'app.title': { en: 'convlab', ko: 'convlab' },
  'app.subtitle': { en: 'Build a network, train it, watch it learn', ko: '신경망을 만들고, 학습시키고, 배우는 모습을 지켜보세요' },
  'lang.toggle': { en: '한국어', ko: 'English' },
  'lang.toggle_label': { en: 'Switch the page to Korean', ko: '페이지를 영어로 바꾸기' },
  'data.label': { en: 'Data download', ko: '데이터 내려받기' },
  'data.ready': { en: '{dataset}: {train} training and {test} test images', ko: '{dataset}: 학습 이미지 {train}장, 테스트 이미지 {test}장' },
  'data.failed': { en: '{dataset} could not be loaded: {message}', ko: '{dataset}를 불러오지 못했습니다: {message}' },
  'dataset.label': { en: 'Dataset', ko: '데이터셋' },
  'edition.single_file': {
    en: 'This is convlab in one file, opened from disk: it needs no server and no network. It holds {train} training and {test} test images of MNIST (the first of each digit: a stratified subset of the 60,000 and 10,000), so training on more images, test figures on all 10,000, and Fashion-MNIST need the served playground (see the README).',
    ko: '디스크에서 연 한 파일짜리 convlab입니다: 서버도 네트워크도 필요 없습니다. MNIST 학습 이미지 {train}장과 테스트 이미지 {test}장(숫자마다 앞에서부터 고른, 60,000장과 10,000장의 층화 부분집합)이 들어 있습니다. 더 많은 이미지로 학습하기, 10,000장 전체의 테스트 결과, Fashion-MNIST는 서버로 여는 플레이그라운드에서 쓸 수 있습니다(README 참고).',
  },
  'edition.not_here': { en: '{dataset} (not in this file)', ko: '{dataset} (이 파일에는 없음)' },
  'edition.dataset_missing': {
    en: '{dataset} is not in this single file (only the served playground downloads it); MNIST is used instead.',
    ko: '{dataset}는 이 한 파일에 들어 있지 않습니다(서버로 연 플레이그라운드만 내려받습니다); 대신 MNIST를 씁니다.',
  },

  'panel.builder': { en: 'Model', ko: '모델' },
  'panel.summary': { en: 'Summary and output sizes', ko: '요약과 출력 크기' },
  'panel.training': { en: 'Training', ko: '학습' },
  'panel.curves': { en: 'Learning curves', ko: '학습 곡선' },
  'panel.maps': { en: 'Feature maps', ko: '특성 맵' },
  'panel.prediction': { en: 'Prediction', ko: '예측' },

  'builder.presets': { en: 'Presets:', ko: '미리 만든 모델:' },
  'preset.seed-cnn': { en: 'Lesson CNN', ko: '수업용 CNN' },
  'preset.seed-mlp': { en: 'Lesson MLP', ko: '수업용 MLP' },
  'builder.layers': { en: 'Layers', ko: '층' },
  'builder.input': { en: 'Input (28×28 grey image)', ko: '입력 (28×28 흑백 이미지)' },
  'builder.add_label': { en: 'New layer', ko: '새 층' },
  'builder.add': { en: 'Add layer', ko: '층 추가' },
  'builder.move_up': { en: 'Move layer {index} up', ko: '{index}번 층을 위로' },
  'builder.move_down': { en: 'Move layer {index} down', ko: '{index}번 층을 아래로' },
  'builder.remove': { en: 'Remove layer {index}', ko: '{index}번 층 삭제' },
  'builder.no_arguments': { en: 'No arguments to set', ko: '설정할 인자가 없습니다' },
  'builder.params': { en: '{count} parameters', ko: '파라미터 {count}개' },
  'arg.filters': { en: 'Filters', ko: '필터 수' },
  'arg.kernel_size': { en: 'Kernel size', ko: '커널 크기' },
  'arg.strides': { en: 'Stride', ko: '스트라이드' },
  'arg.strides_default': { en: 'Empty (None) means the pool size', ko: '비워 두면(None) 풀 크기와 같습니다' },
  'arg.pool_size': { en: 'Pool size', ko: '풀 크기' },
  'arg.padding': { en: 'Padding', ko: '패딩' },
  'arg.units': { en: 'Units', ko: '유닛 수' },
  'arg.activation': { en: 'Activation', ko: '활성화 함수' },
  'arg.rate': { en: 'Rate', ko: '드롭아웃 비율' },

  'summary.caption': { en: 'Model: "{name}"', ko: '모델: "{name}"' },
  'summary.layer_type': { en: 'Layer (type)', ko: '층 (종류)' },
  'summary.output_shape': { en: 'Output Shape', ko: '출력 모양' },
  'summary.params': { en: 'Param #', ko: '파라미터 수' },
  'summary.output_size': { en: 'output size:', ko: '출력 크기:' },
  'summary.height': { en: 'height', ko: '높이' },
  'summary.width': { en: 'width', ko: '너비' },
  'summary.total': { en: 'Total params:', ko: '전체 파라미터:' },
  'summary.trainable': { en: 'Trainable params:', ko: '학습되는 파라미터:' },
  'summary.non_trainable': { en: 'Non-trainable params:', ko: '학습되지 않는 파라미터:' },
  'summary.keras_text': { en: 'As Keras prints it', ko: 'Keras 출력 그대로 보기' },
  'summary.formula_hint': {
    en: 'Output size = (N − F + P)/S + 1: N input size, F kernel or pool size, P padding (top + bottom), S stride; ⌊ ⌋ rounds down.',
    ko: '출력 크기 = (N − F + P)/S + 1: N 입력 크기, F 커널 또는 풀 크기, P 패딩(위 + 아래), S 스트라이드; ⌊ ⌋는 내림입니다.',
  },
  'summary.waiting': { en: 'Checking the model…', ko: '모델을 확인하는 중…' },
  'summary.fix_layer': { en: 'Layer {index} needs a fix before the model can be built:', ko: '모델을 만들려면 {index}번 층을 고쳐야 합니다:' },
  'summary.fix_model': { en: 'The model needs a fix before it can be built:', ko: '모델을 만들려면 고쳐야 할 곳이 있습니다:' },

  'group.optimizer': { en: 'Optimizer', ko: '옵티마이저' },
  'group.data': { en: 'Data', ko: '데이터' },
  'group.regularization': { en: 'Regularization', ko: '규제' },
  'group.augmentation': { en: 'Augmentation', ko: '데이터 증강' },
  'setting.optimizer': { en: 'Optimizer', ko: '옵티마이저' },
  'optimizer.sgd': { en: 'SGD', ko: 'SGD' },
  'optimizer.sgd_momentum': { en: 'SGD + momentum', ko: 'SGD + 모멘텀' },
  'optimizer.rmsprop': { en: 'RMSprop', ko: 'RMSprop' },
  'optimizer.adagrad': { en: 'Adagrad', ko: 'Adagrad' },
  'optimizer.adam': { en: 'Adam', ko: 'Adam' },
  'setting.learning_rate': { en: 'Learning rate', ko: '학습률' },
  'setting.momentum': { en: 'Momentum', ko: '모멘텀' },
  'setting.batch_size': { en: 'Batch size', ko: '배치 크기' },
  'setting.epochs': { en: 'Epochs', ko: '에포크' },
  'setting.train_size': { en: 'Training images', ko: '학습 이미지 수' },
  'setting.train_size.help': { en: 'the first N of {train_images}', ko: '{train_images}장 중 앞에서부터' },
  'setting.validation_split': { en: 'Validation split', ko: '검증 비율' },
  'setting.validation_split.help': { en: 'share held out, e.g. 0.1', ko: '떼어 둘 비율, 예: 0.1' },
  'setting.seed': { en: 'Seed', ko: '시드' },
  'setting.workers': { en: 'Workers', ko: '워커 수' },
  'setting.workers.help': { en: 'cores sharing each batch', ko: '배치를 나눠 계산할 코어 수' },
  'setting.l1': { en: 'L1', ko: 'L1' },
  'setting.l2': { en: 'L2', ko: 'L2' },
  'setting.early_stopping': { en: 'Early stopping', ko: '조기 종료' },
  'setting.early_stopping.help': { en: 'watches val_loss (loss without validation)', ko: 'val_loss를 지켜봄 (검증이 없으면 loss)' },
  'setting.patience': { en: 'Patience', ko: '인내 에포크' },
  'setting.rotation_range': { en: 'Rotation (°)', ko: '회전 (°)' },
  'setting.shift_range': { en: 'Shift (fraction)', ko: '이동 (비율)' },
  'button.train': { en: 'Train', ko: '학습' },
  'button.stop': { en: 'Stop', ko: '정지' },
  'button.reset': { en: 'Reset', ko: '초기화' },
  'reason.loading_engine': { en: 'Train is off: the engine is loading.', ko: '엔진을 불러오는 중이라 학습할 수 없습니다.' },
  'reason.loading_data': { en: 'Train is off until {dataset} has arrived.', ko: '{dataset}가 도착할 때까지 학습할 수 없습니다.' },
  'reason.invalid_model': { en: 'Train is off: fix the model first (see the message at the layer).', ko: '먼저 모델을 고쳐야 학습할 수 있습니다 (층 옆의 메시지를 보세요).' },
  'reason.unreadable': { en: 'Train is off: “{setting}” needs a valid number.', ko: '“{setting}”에 올바른 숫자를 넣어야 학습할 수 있습니다.' },
  'reason.run_locks': { en: 'A run is in progress: the model, the data and the settings stay as they are until it ends (Stop ends it).', ko: '학습 중입니다: 학습이 끝날 때까지 모델, 데이터, 설정은 바뀌지 않습니다 (중지를 누르면 끝납니다).' },
  'busy.model': { en: 'Not now: a run is in progress. Press Stop (or wait for it to end), then change the model or the data.', ko: '지금은 안 됩니다: 학습 중입니다. 중지를 누르거나 끝날 때까지 기다린 뒤 모델이나 데이터를 바꾸세요.' },
  'crash.panic': { en: 'The engine crashed ({message}). It was restarted: your model, settings and run list are kept; only the run in progress was lost.', ko: '엔진이 멈췄습니다 ({message}). 엔진을 다시 시작했습니다: 모델, 설정, 실행 목록은 그대로이고 진행 중이던 학습만 사라졌습니다.' },
  'crash.out_of_memory': { en: 'The engine ran out of memory ({megabytes} MB more were needed). It was restarted: your model, settings and run list are kept; only the run in progress was lost. A smaller model or batch size needs less memory.', ko: '엔진의 메모리가 부족했습니다 ({megabytes} MB가 더 필요했습니다). 엔진을 다시 시작했습니다: 모델, 설정, 실행 목록은 그대로이고 진행 중이던 학습만 사라졌습니다. 모델이나 배치 크기를 줄이면 메모리가 덜 듭니다.' },

  'chart.loss': { en: 'Loss', ko: '손실' },
  'chart.accuracy': { en: 'Accuracy', ko: '정확도' },
  'chart.x': { en: 'epochs', ko: '에포크' },
  'chart.batch': { en: 'train (per batch, smoothed)', ko: '학습 (배치별, 평활)' },
  'chart.epoch': { en: 'train (per epoch)', ko: '학습 (에포크별)' },
  'chart.validation': { en: 'validation (per epoch)', ko: '검증 (에포크별)' },
  'chart.best_legend': { en: 'best epoch (early stopping)', ko: '최고 에포크 (조기 종료)' },
  'chart.best': { en: 'best epoch {epoch}', ko: '최고 에포크 {epoch}' },
  'chart.empty': { en: 'Press Train to draw the curves', ko: '학습을 누르면 곡선이 그려집니다' },

  'maps.test_image': { en: 'Test image #', ko: '테스트 이미지 번호' },
  'maps.random': { en: 'Random image', ko: '무작위 이미지' },
  'maps.refresh': { en: 'Refresh', ko: '새로 고침' },
  'maps.waiting': { en: 'Feature maps appear when the images have arrived.', ko: '이미지가 도착하면 특성 맵이 나타납니다.' },
  'maps.none': { en: 'Fix the model to see its feature maps.', ko: '모델을 고치면 특성 맵을 볼 수 있습니다.' },
  'maps.input': { en: 'Input: test image #{index}', ko: '입력: 테스트 이미지 {index}번' },
  'maps.input_label': { en: 'Test image {index}, a handwritten {label}', ko: '테스트 이미지 {index}번, 손으로 쓴 {label}' },
  'maps.input_label_named': { en: 'Test image {index}: {label}', ko: '테스트 이미지 {index}번: {label}' },
  'maps.channel_label': { en: '{name}, channel {channel}', ko: '{name}, 채널 {channel}' },
  'maps.filters': { en: 'Filters of {name}: {filters} × {size}', ko: '{name}의 필터: {filters}개 × {size}' },
  'maps.filters_slice': { en: 'Each filter has {inputs} input channels; shown: its weights on input channel 1 (red positive, blue negative).', ko: '필터마다 입력 채널이 {inputs}개 있습니다; 입력 채널 1의 가중치를 보여 줍니다 (빨강 양수, 파랑 음수).' },
  'maps.filter_label': { en: '{name}, filter {filter}', ko: '{name}, 필터 {filter}' },
  'maps.show_all': { en: 'Show all {count}', ko: '{count}개 모두 보기' },
  'maps.show_fewer': { en: 'Show the first {count}', ko: '처음 {count}개만 보기' },
  'maps.no_conv': { en: 'This model has no Conv2D or pooling layer, so there are no feature maps to show.', ko: '이 모델에는 Conv2D나 풀링 층이 없어서 보여 줄 특성 맵이 없습니다.' },

  'prediction.predicted': { en: 'Prediction: {digit} ({probability})', ko: '예측: {digit} ({probability})' },
  'prediction.true_label': { en: 'True label: {digit}', ko: '정답: {digit}' },
  'prediction.correct': { en: '✓ correct', ko: '✓ 맞음' },
  'prediction.wrong': { en: '✗ wrong', ko: '✗ 틀림' },
  'prediction.bars': { en: 'Softmax probability of each digit', ko: '숫자별 소프트맥스 확률' },
  'prediction.bars_named': { en: 'Softmax probability of each class', ko: '클래스별 소프트맥스 확률' },
  'prediction.invalid': { en: 'Fix the model to see its prediction.', ko: '모델을 고치면 예측을 볼 수 있습니다.' },
  'prediction.none': { en: 'The prediction appears when the images have arrived.', ko: '이미지가 도착하면 예측이 나타납니다.' },
  'prediction.test_none': { en: 'Test accuracy: after training', ko: '테스트 정확도: 학습 후에 표시' },
  'prediction.test_evaluating': { en: 'Test accuracy: evaluating on {images} test images…', ko: '테스트 정확도: 테스트 이미지 {images}장으로 평가하는 중…' },
  'prediction.test_done': { en: 'Test accuracy: {accuracy} (loss {loss}) on {images} test images', ko: '테스트 정확도: {accuracy} (손실 {loss}), 테스트 이미지 {images}장' },

  'status.loading_engine': { en: 'Loading the engine…', ko: '엔진을 불러오는 중…' },
  'status.loading_data': { en: 'Ready to build. Downloading {dataset}… {percent}', ko: '모델을 만들 수 있습니다. {dataset} 내려받는 중… {percent}' },
  'status.unpacking': { en: 'Unpacking {dataset}…', ko: '{dataset} 압축을 푸는 중…' },
  'status.idle': { en: 'Ready: press Train.', ko: '준비됨: 학습을 누르세요.' },
  'status.starting': { en: 'Starting…', ko: '시작하는 중…' },
  'status.restarting': { en: 'The engine crashed; restarting it…', ko: '엔진이 멈춰서 다시 시작하는 중…' },
  'status.training': {
    en: 'Epoch {epoch}/{epochs} · batch {batch}/{batches} · loss {loss} · accuracy {accuracy} · {speed} images/s',
    ko: '에포크 {epoch}/{epochs} · 배치 {batch}/{batches} · 손실 {loss} · 정확도 {accuracy} · 초당 {speed}장',
  },
  'status.ended.completed': {
    en: 'Done: {epochs} epoch(s) in {seconds} s · {speed} images/s · loss {loss} · accuracy {accuracy}',
    ko: '완료: {epochs}에포크, {seconds}초 · 초당 {speed}장 · 손실 {loss} · 정확도 {accuracy}',
  },
  'status.ended.stopped': {
    en: 'Stopped after {batches} batches in {seconds} s · {speed} images/s · loss {loss} · accuracy {accuracy}',
    ko: '{batches}배치 후 정지, {seconds}초 · 초당 {speed}장 · 손실 {loss} · 정확도 {accuracy}',
  },
  'status.ended.early_stopping': {
    en: 'Early stopping after epoch {stopped}; best epoch {best} · {speed} images/s',
    ko: '{stopped}에포크 후 조기 종료; 최고 에포크 {best} · 초당 {speed}장',
  },
  'status.failed': { en: 'Something went wrong: {message}', ko: '문제가 생겼습니다: {message}' },

  'status.ended.diverged': {
    en: 'Training diverged at epoch {epoch}, batch {batch} and was stopped: the learning rate is too high for this model. The last good weights and the curves are kept. Lower the learning rate (e.g. 0.001 for Adam, 0.01 for SGD) and train again.',
    ko: '에포크 {epoch}, 배치 {batch}에서 학습이 발산하여 멈췄습니다: 이 모델에 학습률이 너무 큽니다. 마지막 정상 가중치와 곡선은 그대로 남아 있습니다. 학습률을 낮추고(예: Adam 0.001, SGD 0.01) 다시 학습하세요.',
  },
  'summary.estimate': {
    en: '≈ {time} per epoch ({images} images, batch size {batch}) · memory ≈ {memory} of {budget}',
    ko: '에포크당 약 {time} (이미지 {images}장, 배치 크기 {batch}) · 메모리 약 {memory} / {budget}',
  },
  'summary.estimate_basis.measured': { en: 'An estimate, from the speed of the last run.', ko: '마지막 학습 속도로 계산한 추정치입니다.' },
  'summary.estimate_basis.default': {
    en: 'An estimate, from a typical browser speed; it uses the real speed after the first run.',
    ko: '일반적인 브라우저 속도로 계산한 추정치이며, 첫 학습 후에는 실제 속도를 씁니다.',
  },
  'summary.too_big': { en: 'Too big to train in a browser tab:', ko: '브라우저 탭에서 학습하기에는 너무 큽니다:' },
  'unit.seconds': { en: '{n} s', ko: '{n}초' },
  'unit.minutes': { en: '{n} min', ko: '{n}분' },
  'engine.message': { en: '{message}', ko: '엔진 메시지(영어): {message}' },

  'class.fashion-mnist.0': { en: 'T-shirt/top', ko: '티셔츠/탑' },
  'class.fashion-mnist.1': { en: 'Trouser', ko: '바지' },
  'class.fashion-mnist.2': { en: 'Pullover', ko: '풀오버' },
  'class.fashion-mnist.3': { en: 'Dress', ko: '드레스' },
  'class.fashion-mnist.4': { en: 'Coat', ko: '코트' },
  'class.fashion-mnist.5': { en: 'Sandal', ko: '샌들' },
  'class.fashion-mnist.6': { en: 'Shirt', ko: '셔츠' },
  'class.fashion-mnist.7': { en: 'Sneaker', ko: '운동화' },
  'class.fashion-mnist.8': { en: 'Bag', ko: '가방' },
  'class.fashion-mnist.9': { en: 'Ankle boot', ko: '앵클부츠' },

  'panel.keras': { en: 'Keras code', ko: 'Keras 코드' },
  'panel.share': { en: 'Save, open and share', ko: '저장, 열기, 공유' },
  'keras.style': { en: 'Style', ko: '작성 방식' },
  'keras.functional': { en: 'Functional', ko: '함수형 (Functional)' },
  'keras.sequential': { en: 'Sequential', ko: '순차형 (Sequential)' },
  'keras.copy': { en: 'Copy', ko: '복사' },
  'keras.copied': { en: 'Copied.', ko: '복사했습니다.' },
  'keras.copy_failed': { en: 'Copying is blocked here: select the code and copy it by hand.', ko: '여기서는 복사할 수 없습니다: 코드를 선택해 직접 복사하세요.' },
  'keras.download': { en: 'Download .py', ko: '.py 내려받기' },
  'keras.code_label': { en: 'The model as Keras code', ko: 'Keras 코드로 쓴 모델' },
  'keras.export_hint': {
    en: 'Runs unchanged in TensorFlow 2.x: loads the data, builds this model, then compile and fit with the settings on this page.',
    ko: 'TensorFlow 2.x에서 그대로 실행됩니다: 데이터를 불러오고, 이 모델을 만들고, 이 페이지의 설정으로 compile과 fit을 합니다.',
  },
  'keras.export_waiting': { en: 'The code appears when the model has been checked.', ko: '모델을 확인하면 코드가 나타납니다.' },
  'keras.export_invalid': { en: 'Fix the model to see its Keras code.', ko: '모델을 고치면 Keras 코드를 볼 수 있습니다.' },
  'keras.import_title': { en: 'Paste Keras code', ko: 'Keras 코드 붙여넣기' },
  'keras.import_hint': {
    en: 'A Sequential (model.add) or Functional (Input → layers → Model) model. It is read, never run; imports, data loading, compile and fit are skipped.',
    ko: 'Sequential(model.add) 또는 Functional(Input → 층 → Model) 모델. 코드는 읽기만 하고 실행하지 않습니다; import, 데이터 불러오기, compile, fit은 건너뜁니다.',
  },
  'keras.import_placeholder': { en: "model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))", ko: "model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))" },
  'keras.import': { en: 'Load into the builder', ko: '빌더로 불러오기' },
  'keras.import_empty': { en: 'Paste Keras code that defines a model first.', ko: '먼저 모델을 정의하는 Keras 코드를 붙여 넣으세요.' },
  'keras.import_error': { en: 'Line {line}, column {column}: {message}', ko: '{line}행 {column}열: {message}' },
  'keras.imported': { en: 'Loaded {layers} layers into the builder.', ko: '층 {layers}개를 빌더로 불러왔습니다.' },
  'model.input_shape': {
    en: 'This page trains on 28×28×1 images, but the model expects {shape}; give the first layer input_shape=(28, 28, 1).',
    ko: '이 페이지는 28×28×1 이미지로 학습하는데 이 모델은 {shape}를 받습니다; 첫 층에 input_shape=(28, 28, 1)을 주세요.',
  },
  'model.output_shape': {
    en: 'This page has 10 classes, but the model ends in {shape}; end it with Dense(10, activation=\'softmax\').',
    ko: '이 페이지의 클래스는 10개인데 이 모델의 출력은 {shape}입니다; 마지막 층을 Dense(10, activation=\'softmax\')로 하세요.',
  },

  'files.title': { en: 'Model files', ko: '모델 파일' },
  'files.download': { en: 'Download model (model.json + .bin)', ko: '모델 내려받기 (model.json + .bin)' },
  'files.open': { en: 'Open model files', ko: '모델 파일 열기' },
  'files.hint': {
    en: 'TensorFlow.js Layers format. Choose model.json together with its .bin weights file, or drop both anywhere on the page.',
    ko: 'TensorFlow.js Layers 형식. model.json과 .bin 가중치 파일을 함께 고르거나, 둘 다 페이지 아무 곳에나 끌어다 놓으세요.',
  },
  'files.drop': { en: 'Drop model.json and its .bin file to open the model', ko: 'model.json과 .bin 파일을 놓으면 모델이 열립니다' },
  'files.saved': { en: 'Downloaded model.json and {weights}.', ko: 'model.json과 {weights}를 내려받았습니다.' },
  'files.opening': { en: 'Opening {name}…', ko: '{name} 여는 중…' },
  'files.loaded': {
    en: 'Opened {name}: {layers} layers, {params} parameters, with its trained weights. Test it below, or train it further.',
    ko: '{name}을 열었습니다: 층 {layers}개, 파라미터 {params}개, 학습된 가중치 포함. 아래에서 확인하거나 더 학습시키세요.',
  },
  'files.no_json': { en: 'Choose a model.json (with its .bin weights file).', ko: 'model.json(과 .bin 가중치 파일)을 고르세요.' },
  'files.two_json': { en: 'Choose one model.json at a time.', ko: 'model.json은 한 번에 하나만 고르세요.' },
  'files.bad_json': { en: '{name} is not JSON: {message}', ko: '{name}은 JSON이 아닙니다: {message}' },
  'files.not_layers_model': { en: '{name} has no modelTopology: it is not a TensorFlow.js Layers model.', ko: '{name}에 modelTopology가 없습니다: TensorFlow.js Layers 모델이 아닙니다.' },
  'files.missing_weights': { en: 'model.json needs the weights file {names}: choose it together with model.json.', ko: 'model.json에는 가중치 파일 {names}가 필요합니다: model.json과 함께 고르세요.' },
  'files.json_too_big': {
    en: '{name} is {size} MB, but a model.json takes kilobytes (at most {limit} MB here): choose the model.json that TensorFlow.js or convlab saved.',
    ko: '{name}의 크기는 {size} MB입니다. model.json은 보통 몇 KB입니다 (여기서는 최대 {limit} MB): TensorFlow.js나 convlab이 저장한 model.json을 고르세요.',
  },
  'files.weights_too_big': {
    en: 'The weights files are {size} MB together; the playground opens at most {limit} MB of weights ({params} M parameters). Choose a smaller model.',
    ko: '가중치 파일이 모두 {size} MB입니다. 이 플레이그라운드는 최대 {limit} MB의 가중치({params} M개 파라미터)까지 엽니다. 더 작은 모델을 고르세요.',
  },
  'files.failed': { en: 'The model could not be opened: {message}', ko: '모델을 열지 못했습니다: {message}' },

  'link.title': { en: 'Link for the class', ko: '수업용 링크' },
  'link.copy': { en: 'Copy link', ko: '링크 복사' },
  'link.copied': { en: 'Link copied.', ko: '링크를 복사했습니다.' },
  'link.copy_by_hand': { en: 'Copying is blocked here: the link is selected, copy it by hand.', ko: '여기서는 복사할 수 없습니다: 선택된 링크를 직접 복사하세요.' },
  'link.hint': {
    en: 'The link holds the model, the training settings with the seed, the dataset and the panels shown; opening it restores them exactly.',
    ko: '링크에는 모델, 시드를 포함한 학습 설정, 데이터셋, 보이는 패널이 들어 있습니다; 링크를 열면 그대로 복원됩니다.',
  },
  'link.hint_file': {
    en: 'Opened from a file, this address points at the file on this computer: it opens the same setup wherever convlab.html sits at the same place (the same USB stick, the same folder). The part from #v1= carries the setup to any copy of convlab, served or single-file.',
    ko: '파일로 열었기 때문에 이 주소는 이 컴퓨터의 파일을 가리킵니다: convlab.html이 같은 위치(같은 USB, 같은 폴더)에 있으면 같은 설정이 열립니다. #v1= 부터의 부분은 서버로 연 것이든 한 파일짜리든 어떤 convlab에도 설정을 옮겨 줍니다.',
  },
  'link.teacher': { en: 'Teacher mode: what students see', ko: '교사 모드: 학생에게 보이는 것' },
  'link.teacher_hint': {
    en: 'Untick panels and tick controls to hide them for a guided exercise. The link changes at once; the hiding takes effect when the link is opened.',
    ko: '안내 실습을 위해 패널의 체크를 풀거나 숨길 컨트롤을 체크하세요. 링크는 바로 바뀌고, 숨기기는 링크를 열 때 적용됩니다.',
  },
  'link.panels': { en: 'Panels shown', ko: '보이는 패널' },
  'link.hide': { en: 'Controls hidden', ko: '숨길 컨트롤' },
  'link.guided': { en: 'Guided exercise: this link hides some panels or controls.', ko: '안내 실습: 이 링크는 일부 패널이나 컨트롤을 숨깁니다.' },
  'link.invalid': { en: 'This link could not be used ({reason}); the default model is shown instead.', ko: '이 링크를 쓸 수 없습니다 ({reason}); 대신 기본 모델을 보여 줍니다.' },
  'link.invalid_saved': { en: 'This link could not be used ({reason}); your saved setup is shown instead.', ko: '이 링크를 쓸 수 없습니다 ({reason}); 대신 저장된 설정을 보여 줍니다.' },
  'link.reason.version': { en: 'it was made by another version of convlab', ko: '다른 버전의 convlab에서 만든 링크입니다' },
  'link.reason.encoding': { en: 'it is damaged or cut short', ko: '링크가 손상되었거나 잘렸습니다' },
  'link.reason.content': { en: 'its “{field}” is not valid', ko: '“{field}” 값이 올바르지 않습니다' },
  'link.reason.model': { en: 'its model cannot be built: {message}', ko: '모델을 만들 수 없습니다: {message}' },
  'notice.close': { en: 'Close', ko: '닫기' },
  'hide.dataset': { en: 'Dataset choice', ko: '데이터셋 선택' },
  'hide.presets': { en: 'Presets', ko: '미리 만든 모델' },
  'hide.layer-tools': { en: 'Adding, moving and removing layers', ko: '층 추가, 이동, 삭제' },
  'hide.keras-import': { en: 'Keras code import', ko: 'Keras 코드 불러오기' },
  'hide.model-open': { en: 'Opening model files', ko: '모델 파일 열기' },
  'hide.reset': { en: 'Reset button', ko: '초기화 버튼' },
  'hide.setting': { en: 'Setting: {label}', ko: '설정: {label}' },

  'storage.title': { en: 'Saved in this browser', ko: '이 브라우저에 저장' },
  'storage.hint': {
    en: 'The setup, the finished runs and the last trained model are kept here and come back on reload.',
    ko: '설정, 끝난 실행, 마지막으로 학습한 모델이 여기에 보관되고 새로 고침해도 돌아옵니다.',
  },
  'storage.saved': { en: 'Saved at {time} · {runs} run(s) kept.', ko: '{time}에 저장함 · 실행 {runs}개 보관 중.' },
  'storage.restored': { en: 'Restored the saved setup, {runs} run(s) and the last trained model.', ko: '저장된 설정, 실행 {runs}개, 마지막으로 학습한 모델을 복원했습니다.' },
  'storage.clear': { en: 'Clear saved work', ko: '저장한 작업 지우기' },
  'storage.cleared': { en: 'Saved work cleared. The page keeps what it shows until it is reloaded.', ko: '저장한 작업을 지웠습니다. 새로 고칠 때까지 화면은 그대로입니다.' },
  'storage.unavailable': { en: 'Saving is off: this browser gives the page no storage here ({message}). Everything else works.', ko: '저장이 꺼져 있습니다: 이 브라우저가 저장 공간을 주지 않습니다 ({message}). 다른 기능은 모두 됩니다.' },
  'storage.quota': { en: 'Saving failed: the browser\'s storage is full ({message}). Clear saved work or free some space.', ko: '저장하지 못했습니다: 브라우저 저장 공간이 가득 찼습니다 ({message}). 저장한 작업을 지우거나 공간을 비우세요.' },
  'storage.failed': { en: 'Saving failed: {message}', ko: '저장하지 못했습니다: {message}' },
};

Object.assign(STRINGS, LAB_STRINGS);

const listeners = new Set();

/** Where the learner's choice of language is kept (localStorage). */
const LANGUAGE_KEY = 'convlab.language';

/** The stored choice, or null (no choice yet, or no storage here). */
function storedLanguage() {
  try {
    return globalThis.localStorage ? localStorage.getItem(LANGUAGE_KEY) : null;
  } catch {
    return null;
  }
}

function initialLanguage() {
  const requested = new URLSearchParams(globalThis.location ? location.search : '').get('lang');
  if (requested === 'en' || requested === 'ko') return requested;
  const stored = storedLanguage();
  if (stored === 'en' || stored === 'ko') return stored;
  const browser = (globalThis.navigator && navigator.language) || 'en';
  return browser.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

let language = initialLanguage();

/** The string `key` in the current language with `{name}` placeholders filled from `params`;
 * `fallback` (or the key itself) when there is no such string. */
export function t(key, params = {}, fallback) {
  const entry = STRINGS[key];
  if (!entry) return fallback !== undefined ? fallback : key;
  const text = entry[language] ?? entry.en;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** An English message from the engine (or the browser), labelled as such in Korean. */
export function engineMessage(message) {
  return t('engine.message', { message });
}

/** `en` or `ko`. */
export function getLanguage() {
  return language;
}

/** Switches the language and redraws everything that registered with `onLanguageChange`. */
export function setLanguage(next) {
  if (next === language || !(next === 'en' || next === 'ko')) return;
  language = next;
  try {
    localStorage.setItem(LANGUAGE_KEY, next);
  } catch {
    // No storage (private mode): the choice lasts until the page is closed.
  }
  document.documentElement.lang = next;
  translateStatic();
  for (const listener of listeners) listener(next);
}

/** Calls `listener` after every language switch. */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** Fills the page's fixed text: `data-i18n="key"` sets the text, `data-i18n-label="key"` the
 * `aria-label`. */
export function translateStatic(root = document) {
  document.documentElement.lang = language;
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  document.title = `${t('app.title')} — ${t('app.subtitle')}`;
}

const numberFormat = new Intl.NumberFormat('en-US');

/** `41866` → `41,866` (Keras's grouping, the same in both languages). */
export function formatNumber(value) {
  return numberFormat.format(value);
}

/** A per-sample shape as Keras prints it: `[28, 28, 32]` → `(None, 28, 28, 32)`. */
export function formatShape(shape) {
  return `(None, ${shape.join(', ')})`;
}

/** `0.9712` → `97.1%` (`digits` decimals). */
export function formatPercent(fraction, digits = 1) {
  return `${(fraction * 100).toFixed(digits)}%`;
}
